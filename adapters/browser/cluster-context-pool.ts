import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { EnvClosedError } from '../../src/env/errors.js';
import { createBrowserProvider, type BrowserProvider, type BrowserSource } from './browser-provider.js';
import { cleanUp } from '../../src/env/clean-up.js';
import { closeContext } from './close-context.js';

export interface ClusterContextPoolOptions {
  source: BrowserSource;
  /** Makes each generation's provider. Default: `createBrowserProvider(source)` (a browser farm passes its views). */
  makeProvider?: (() => BrowserProvider) | undefined;
  /** Contexts made on one browser before the next context goes to a new browser. */
  restartAfter: number;
  /** Fresh default contexts kept ready ahead of demand. */
  warm: number;
}

/**
 * One browser (a "generation") at a time, from its own provider so launch/connect stays the
 * project's single implementation. A generation retires after `restartAfter` contexts or when its
 * browser disconnects; a retired one is closed once its last context has closed.
 */
interface Generation {
  readonly provider: BrowserProvider;
  /** Contexts asked of it, warm ones included (what `restartAfter` counts). */
  created: number;
  /** Its contexts not yet closed (leased or warm). */
  open: number;
  retired: boolean;
  /** We are closing its browser: the disconnect that follows is not a crash. */
  closing: boolean;
  readonly browsers: Set<Browser>;
}

const isDefault = (options: BrowserContextOptions | undefined): boolean =>
  options === undefined || Object.keys(options).length === 0;

/**
 * Where the browser cluster's leases get their contexts: every context is new (never handed out
 * twice), warm ones are made ahead when `warm > 0`, browsers are restarted after `restartAfter`
 * contexts to bound their memory, and a browser that dies is replaced for the next context.
 */
export class ClusterContextPool {
  private current: Generation | undefined;
  private readonly live = new Set<Generation>();
  private warmContexts: Array<Promise<BrowserContext | undefined>> = [];
  private readonly closedContexts = new WeakSet<BrowserContext>();
  /** Read at creation: an expired context's own methods throw. */
  private readonly browserOf = new WeakMap<BrowserContext, Browser | null>();
  /** Launches of generations already closed (live ones are read from their providers). */
  private finishedLaunches = 0;
  private created = 0;
  private isClosed = false;

  constructor(private readonly options: ClusterContextPoolOptions) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Browsers launched or connected so far, replacements and restarts included. */
  get browsersStarted(): number {
    let launches = this.finishedLaunches;
    for (const generation of this.live) launches += generation.provider.launches;
    return launches;
  }

  /** Contexts made so far, warm ones included. */
  get contextsCreated(): number {
    return this.created;
  }

  /** A context nobody has used: a warm one for default options when one is ready, else a new one. */
  async acquire(options?: BrowserContextOptions): Promise<BrowserContext> {
    if (this.isClosed) throw new EnvClosedError('browser cluster');
    if (isDefault(options)) {
      while (this.warmContexts.length > 0) {
        const context = await this.warmContexts.shift();
        if (context && this.usable(context)) {
          this.refill();
          return context;
        }
      }
    }
    const context = this.create(options);
    this.refill();
    return context;
  }

  /** Name and version of the current browser (starting it if needed), for run manifests. */
  version(): Promise<string> {
    if (this.isClosed) return Promise.reject(new EnvClosedError('browser cluster'));
    return this.generation().provider.version();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.current = undefined;
    this.warmContexts = [];
    await Promise.all([...this.live].map((generation) => this.finish(generation)));
  }

  private usable(context: BrowserContext): boolean {
    return !this.closedContexts.has(context) && (this.browserOf.get(context)?.isConnected() ?? false);
  }

  private generation(): Generation {
    if (this.current === undefined || this.current.retired) {
      this.current = { provider: this.options.makeProvider?.() ?? createBrowserProvider(this.options.source), created: 0, open: 0, retired: false, closing: false, browsers: new Set() };
      this.live.add(this.current);
    }
    return this.current;
  }

  private async create(options?: BrowserContextOptions): Promise<BrowserContext> {
    const generation = this.generation();
    generation.created += 1;
    // This context is the generation's last: the next one starts the next browser.
    if (generation.created >= this.options.restartAfter) generation.retired = true;
    generation.open += 1;
    let context: BrowserContext;
    try {
      context = await generation.provider.newContext(options);
    } catch (error) {
      generation.open -= 1;
      this.settle(generation);
      throw error;
    }
    this.created += 1;
    this.browserOf.set(context, context.browser());
    context.once('close', () => {
      this.closedContexts.add(context);
      generation.open -= 1;
      this.settle(generation);
    });
    this.watch(generation, this.browserOf.get(context) ?? null);
    if (this.isClosed) {
      await closeContext('browser context of a closed cluster', context);
      throw new EnvClosedError('browser cluster');
    }
    return context;
  }

  /** A browser that disconnects without us closing it retires its generation: the next context gets a new browser. */
  private watch(generation: Generation, browser: Browser | null): void {
    if (browser === null || generation.browsers.has(browser)) return;
    generation.browsers.add(browser);
    browser.once('disconnected', () => {
      if (generation.closing) return;
      generation.retired = true;
      if (this.current === generation) this.current = undefined;
      this.settle(generation);
    });
  }

  /** Closes a retired generation once none of its contexts is open. */
  private settle(generation: Generation): void {
    // Reached from 'disconnected' and context-close events, which cannot wait; finish never rejects
    // (the provider's close is caught).
    if (generation.retired && generation.open <= 0) void this.finish(generation);
  }

  private async finish(generation: Generation): Promise<void> {
    if (generation.closing) return;
    generation.closing = true;
    generation.retired = true;
    this.live.delete(generation);
    this.finishedLaunches += generation.provider.launches;
    await cleanUp('retired browser', () => generation.provider.close());
  }

  /** Tops the warm contexts up; a failed warm-up is dropped (the lease that needs a context makes its own). */
  private refill(): void {
    while (!this.isClosed && this.warmContexts.length < this.options.warm) {
      this.warmContexts.push(this.create().catch(() => undefined));
    }
  }
}
