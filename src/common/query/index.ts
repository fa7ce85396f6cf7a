export * from './filter.ast';
export { FILTER_LIMITS, parseFilter } from './filter-parser';
export { applyFilter } from './filter-compiler';
export * from './query-entity';
export * from './query-options';
export * from './query-compiler';
export * from './list-page';
