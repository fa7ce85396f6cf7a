/**
 * Peggy grammar for Dynamic-LINQ-like filter expressions, kept as a string so the parser can be
 * generated at startup without a build step or a non-TypeScript asset to copy into `dist/`.
 *
 * Precedence, tightest first: `not`, comparison, `and`, `or`. `not` takes a single operand
 * (a boolean field, a method call or a parenthesised condition), as in C#, so `not Name == "x"` is
 * rejected with a hint to write `not (Name == "x")` rather than silently meaning `(not Name) == "x"`.
 *
 * The produced nodes are described in `filter.ast.ts`. Rule names in quotes are what syntax errors
 * list as "expected".
 */
export const FILTER_GRAMMAR = String.raw`
{{
  const METHODS = { contains: 'contains', startswith: 'startsWith', endswith: 'endsWith' };

  function logical(kind, head, tail, offset) {
    return tail.length === 0 ? head : { kind, operands: [head, ...tail], offset };
  }
}}

Filter
  = _ @Or _

Or
  = head:And tail:(_ OrOperator _ @And)* { return logical('or', head, tail, offset()); }

And
  = head:Comparison tail:(_ AndOperator _ @Comparison)* { return logical('and', head, tail, offset()); }

Comparison
  = target:Member _ InKeyword _ "(" _ head:Literal tail:(_ "," _ @Literal)* _ ")"
    { return { kind: 'inList', target, values: [head, ...tail], offset: offset() }; }
  / left:Operand _ operator:ComparisonOperator _ right:Operand
    { return { kind: 'comparison', operator, left, right, offset: offset() }; }
  / NotOperator _ Operand _ (ComparisonOperator / InKeyword)
    { error('"not" applies only to the operand right after it; write not (…) around the whole comparison'); }
  / Unary

Unary
  = NotOperator _ operand:Unary { return { kind: 'not', operand, offset: offset() }; }
  / Primary

Primary
  = "(" _ @Or _ ")"
  / MethodCall
  / Operand

MethodCall
  = head:Identifier tail:("." @Identifier)+ _ "(" _ argument:Literal _ ")"
    {
      const name = tail.pop();
      const method = METHODS[name.name.toLowerCase()];
      if (!method) {
        error('unknown method "' + name.name + '"; use Contains, StartsWith or EndsWith');
      }
      const target = { kind: 'member', path: [head, ...tail], offset: head.offset };
      return { kind: 'methodCall', method, target, argument, offset: offset() };
    }

Operand
  = Literal
  / Member

Member
  = head:Identifier tail:("." @Identifier)*
    { return { kind: 'member', path: [head, ...tail], offset: offset() }; }

Identifier "field name"
  = !Keyword [A-Za-z_] [A-Za-z0-9_]* { return { name: text(), offset: offset() }; }

Literal
  = StringLiteral
  / NumberLiteral
  / TrueKeyword { return { kind: 'literal', type: 'boolean', value: true, offset: offset() }; }
  / FalseKeyword { return { kind: 'literal', type: 'boolean', value: false, offset: offset() }; }
  / NullKeyword { return { kind: 'literal', type: 'null', value: null, offset: offset() }; }

StringLiteral "string"
  = '"' chars:(Escape / [^"\\])* '"'
    { return { kind: 'literal', type: 'string', value: chars.join(''), offset: offset() }; }
  / "'" chars:(Escape / [^'\\])* "'"
    { return { kind: 'literal', type: 'string', value: chars.join(''), offset: offset() }; }
  / quote:["']
    { error('the string starting here has no closing ' + quote); }

Escape
  = "\\" @["'\\]
  / "\\" character:.
    { error('unsupported escape "\\' + character + '" in string; only \\", \\\' and \\\\ are allowed'); }

NumberLiteral "number"
  = "-"? [0-9]+ ("." [0-9]+)? !IdentifierCharacter
    { return { kind: 'literal', type: 'number', value: Number(text()), text: text(), offset: offset() }; }

ComparisonOperator "comparison operator"
  = "==" { return 'eq'; }
  / "!=" { return 'ne'; }
  / "<>" { return 'ne'; }
  / "<=" { return 'le'; }
  / ">=" { return 'ge'; }
  / "<" { return 'lt'; }
  / ">" { return 'gt'; }
  / "=" { return 'eq'; }

OrOperator "\"or\""
  = "||"
  / OrKeyword

AndOperator "\"and\""
  = "&&"
  / AndKeyword

NotOperator "\"not\""
  = "!" !"="
  / NotKeyword

Keyword
  = AndKeyword / OrKeyword / NotKeyword / InKeyword / TrueKeyword / FalseKeyword / NullKeyword

AndKeyword = "and"i !IdentifierCharacter
OrKeyword = "or"i !IdentifierCharacter
NotKeyword = "not"i !IdentifierCharacter
InKeyword "\"in\"" = "in"i !IdentifierCharacter
TrueKeyword = "true"i !IdentifierCharacter
FalseKeyword = "false"i !IdentifierCharacter
NullKeyword = "null"i !IdentifierCharacter

IdentifierCharacter
  = [A-Za-z0-9_]

_ "whitespace"
  = [ \t\r\n]*
`;
