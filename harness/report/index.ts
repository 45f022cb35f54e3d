export * from './write-fidelity-outputs.js';
export * from './read-shadow-lines.js';
export * from './fidelity-html.js';
export * from './worst-transitions.js';
export * from './svg-charts.js';
export * from './format-number.js';
