/**
 * The tree a filter expression parses into. Every node carries `offset`, the 0-based index of its
 * first character in the filter text, so later checks (unknown field, wrong type) can point at it.
 */

export type ComparisonOperator = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type StringMethod = 'contains' | 'startsWith' | 'endsWith';

export interface MemberSegment {
  /** As the client spelled it; lookups against the whitelist are case-insensitive. */
  name: string;
  offset: number;
}

/** `Company` or `Customer.Company`: a field, possibly reached through relations. */
export interface MemberNode {
  kind: 'member';
  path: MemberSegment[];
  offset: number;
}

export type LiteralNode =
  | { kind: 'literal'; type: 'string'; value: string; offset: number }
  /** `text` keeps the digits as written so decimals reach the database without float rounding. */
  | { kind: 'literal'; type: 'number'; value: number; text: string; offset: number }
  | { kind: 'literal'; type: 'boolean'; value: boolean; offset: number }
  | { kind: 'literal'; type: 'null'; value: null; offset: number };

export type OperandNode = MemberNode | LiteralNode;

export interface ComparisonNode {
  kind: 'comparison';
  operator: ComparisonOperator;
  left: OperandNode;
  right: OperandNode;
  offset: number;
}

export interface MethodCallNode {
  kind: 'methodCall';
  method: StringMethod;
  target: MemberNode;
  argument: LiteralNode;
  offset: number;
}

export interface InListNode {
  kind: 'inList';
  target: MemberNode;
  values: LiteralNode[];
  offset: number;
}

/** n-ary rather than binary so a flat `a or b or c …` does not count as deep nesting. */
export interface LogicalNode {
  kind: 'and' | 'or';
  operands: FilterNode[];
  offset: number;
}

export interface NotNode {
  kind: 'not';
  operand: FilterNode;
  offset: number;
}

export type FilterNode = LogicalNode | NotNode | ComparisonNode | MethodCallNode | InListNode | OperandNode;
