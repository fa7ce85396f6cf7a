import { generate, type parser as peggy } from 'peggy';
import { ApiException, ErrorCode } from '../errors';
import type { FilterNode } from './filter.ast';
import { FILTER_GRAMMAR } from './filter.grammar';

/** Bounds on what one filter may ask of the database and of the parser's recursion. */
export const FILTER_LIMITS = {
  maxLength: 2000,
  /** Levels of the parsed tree; brackets that change nothing add none. */
  maxDepth: 32,
  maxNodes: 100,
  maxInListValues: 200,
} as const;

/** Generated once per process: building the parser from the grammar takes tens of milliseconds. */
const filterParser = generate(FILTER_GRAMMAR);

export function invalidFilter(message: string): ApiException {
  return ApiException.badRequest(message, ErrorCode.InvalidFilter);
}

/** Positions are reported as 1-based character columns, the way editors count. */
export function filterErrorAt(offset: number, problem: string): ApiException {
  return invalidFilter(`Invalid filter at column ${offset + 1}: ${problem}`);
}

/** Parses a filter expression into its tree, or throws a 400 that points at the problem. */
export function parseFilter(filter: string): FilterNode {
  if (filter.length > FILTER_LIMITS.maxLength) {
    throw invalidFilter(`filter is too long (max ${FILTER_LIMITS.maxLength} characters)`);
  }
  let tree: FilterNode;
  try {
    tree = filterParser.parse(filter) as FilterNode;
  } catch (error) {
    if (error instanceof filterParser.SyntaxError) {
      throw filterErrorAt(error.location.start.offset, describeSyntaxError(error));
    }
    throw error;
  }
  checkComplexity(tree);
  return tree;
}

function describeSyntaxError(error: peggy.SyntaxError): string {
  // Errors raised by the grammar's own actions already say what is wrong.
  if (!error.expected) return error.message;
  const expected = [...new Set(error.expected.map(describeExpectation).filter(Boolean))].sort();
  const found = error.found === null ? 'the end of the filter' : JSON.stringify(error.found);
  return `expected ${joinAlternatives(expected)} but found ${found}`;
}

function describeExpectation(expectation: peggy.Expectation): string {
  switch (expectation.type) {
    case 'literal':
      return JSON.stringify(expectation.text);
    case 'other':
      return expectation.description === 'whitespace' ? '' : expectation.description;
    case 'end':
      return 'the end of the filter';
    default:
      return '';
  }
}

function joinAlternatives(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function checkComplexity(tree: FilterNode): void {
  let nodeCount = 0;
  const visit = (node: FilterNode, depth: number): void => {
    if (depth > FILTER_LIMITS.maxDepth) {
      throw filterErrorAt(node.offset, `the expression is nested too deeply (max ${FILTER_LIMITS.maxDepth} levels)`);
    }
    nodeCount += 1;
    if (nodeCount > FILTER_LIMITS.maxNodes) {
      throw filterErrorAt(
        node.offset,
        `the filter has too many parts (max ${FILTER_LIMITS.maxNodes}); ` +
          'combine equality tests on one field into an "in" list or split the request',
      );
    }
    if (node.kind === 'inList' && node.values.length > FILTER_LIMITS.maxInListValues) {
      throw filterErrorAt(
        node.offset,
        `the "in" list has ${node.values.length} values (max ${FILTER_LIMITS.maxInListValues})`,
      );
    }
    for (const child of childrenOf(node)) visit(child, depth + 1);
  };
  visit(tree, 1);
}

/** In-list values are bounded by their own limit, so they are not children for node counting. */
function childrenOf(node: FilterNode): FilterNode[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.operands;
    case 'not':
      return [node.operand];
    case 'comparison':
      return [node.left, node.right];
    case 'methodCall':
      return [node.target, node.argument];
    case 'inList':
      return [node.target];
    case 'member':
    case 'literal':
      return [];
  }
}
