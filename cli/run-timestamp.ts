/** `20261122-081500`: the default run directory suffix (`runs/<command>-<timestamp>`). */
export const runTimestamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
