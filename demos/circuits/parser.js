// Expression parser for free mode: text -> AST -> circuit graph, and AST -> text.
// No DOM; node imports it in tests.
//
// Grammar (precedence climbing for the binary operators):
//   expr    := operand (binop operand)*        + - (1, left)  * / (2, left)  ^ (4, right)
//   operand := "-" operand                     unary minus (3): -x^2 is -(x^2), -a*b is (-a)*b
//            | primary
//   primary := number | name | name "(" expr ("," expr)* ")" | "(" expr ")"
// The exponent of ^ must be a number (optionally negative): the x² gate has no
// gradient wire for its exponent.
//
// AST nodes (pos = 0-based offset into the text, for error messages):
//   {type:"num", value} {type:"var", name} {type:"neg", arg}
//   {type:"bin", op, left, right} {type:"call", name, args}

export class ParseError extends Error {
  constructor(message, pos) {
    super(`column ${pos + 1}: ${message}`);
    this.name = "ParseError";
    this.pos = pos;
    this.column = pos + 1;
    this.detail = message;
  }
}

/** Functions a reader may call, with their arity (max takes 2 or more). */
const FUNCTIONS = {
  max: { gate: "max", min: 2, max: Infinity },
  sigmoid: { gate: "sigmoid", min: 1, max: 1 },
  sig: { gate: "sigmoid", min: 1, max: 1 },
  "σ": { gate: "sigmoid", min: 1, max: 1 },
  relu: { gate: "relu", min: 1, max: 1 },
  exp: { gate: "exp", min: 1, max: 1 },
};

const BINARY = { "+": [1, "left"], "-": [1, "left"], "*": [2, "left"], "/": [2, "left"], "^": [4, "right"] };
const NEG_PREC = 3;
// Typographic variants a reader may paste from the guide's text.
const ALIASES = { "−": "-", "×": "*", "·": "*", "÷": "/" };

/** Split text into tokens {type: num|name|op|end, text, value?, pos}. */
export function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) { i++; continue; }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      tokens.push({ type: "num", text: num[0], value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|σ)/.exec(text.slice(i));
    if (name) {
      tokens.push({ type: "name", text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = ALIASES[ch] ?? ch;
    if ("+-*/^(),".includes(op)) {
      tokens.push({ type: "op", text: op, pos: i });
      i++;
      continue;
    }
    throw new ParseError(`unexpected character "${ch}"`, i);
  }
  tokens.push({ type: "end", text: "end of input", pos: text.length });
  return tokens;
}

/** Parse text into an AST; throws ParseError with the column on bad input. */
export function parse(text) {
  const tokens = tokenize(text);
  let k = 0;
  const peek = () => tokens[k];
  const next = () => tokens[k++];
  const describe = (t) => (t.type === "end" ? "end of input" : `"${t.text}"`);
  const expect = (opText) => {
    const t = next();
    if (t.type !== "op" || t.text !== opText) {
      throw new ParseError(`expected "${opText}" but found ${describe(t)}`, t.pos);
    }
    return t;
  };

  function expression(minPrec) {
    let left = operand();
    for (;;) {
      const t = peek();
      const info = t.type === "op" ? BINARY[t.text] : undefined;
      if (!info || info[0] < minPrec) return left;
      next();
      const [prec, assoc] = info;
      const right = expression(assoc === "left" ? prec + 1 : prec);
      if (t.text === "^") checkExponent(right, t);
      left = { type: "bin", op: t.text, left, right, pos: t.pos };
    }
  }

  function checkExponent(node, opToken) {
    const inner = node.type === "neg" ? node.arg : node;
    if (inner.type !== "num") {
      throw new ParseError("the exponent after ^ must be a number, e.g. x^2", node.pos ?? opToken.pos);
    }
  }

  function operand() {
    const t = peek();
    if (t.type === "op" && t.text === "-") {
      next();
      // The operand of unary minus binds tighter than * but looser than ^.
      return { type: "neg", arg: expression(NEG_PREC + 1), pos: t.pos };
    }
    return primary();
  }

  function primary() {
    const t = next();
    if (t.type === "num") return { type: "num", value: t.value, pos: t.pos };
    if (t.type === "name") {
      if (peek().type === "op" && peek().text === "(") return call(t);
      if (FUNCTIONS[t.text]) throw new ParseError(`"${t.text}" is a function: write ${t.text}(…)`, t.pos);
      return { type: "var", name: t.text, pos: t.pos };
    }
    if (t.type === "op" && t.text === "(") {
      const inner = expression(1);
      expect(")");
      return inner;
    }
    throw new ParseError(`expected a number, a name or "(" but found ${describe(t)}`, t.pos);
  }

  function call(nameToken) {
    const fn = FUNCTIONS[nameToken.text];
    if (!fn) {
      const known = Object.keys(FUNCTIONS).join(", ");
      throw new ParseError(`unknown function "${nameToken.text}" (known: ${known})`, nameToken.pos);
    }
    expect("(");
    const args = [expression(1)];
    while (peek().type === "op" && peek().text === ",") {
      next();
      args.push(expression(1));
    }
    expect(")");
    if (args.length < fn.min || args.length > fn.max) {
      const want = fn.max === Infinity ? `at least ${fn.min}` : `${fn.min}`;
      throw new ParseError(`${nameToken.text}() takes ${want} argument(s), got ${args.length}`, nameToken.pos);
    }
    return { type: "call", name: nameToken.text, args, pos: nameToken.pos };
  }

  const ast = expression(1);
  const rest = peek();
  if (rest.type !== "end") {
    throw new ParseError(`unexpected ${describe(rest)} (missing operator?)`, rest.pos);
  }
  return ast;
}

function precedence(node) {
  if (node.type === "bin") return BINARY[node.op][0];
  if (node.type === "neg") return NEG_PREC;
  if (node.type === "num" && node.value < 0) return NEG_PREC;
  return 5;
}

/** AST -> text with the fewest parentheses that parse back to the same AST. */
export function print(node) {
  switch (node.type) {
    case "num":
      return String(node.value);
    case "var":
      return node.name;
    case "call":
      return `${node.name}(${node.args.map(print).join(",")})`;
    case "neg":
      return `-${wrap(node.arg, precedence(node.arg) < NEG_PREC)}`;
    case "bin": {
      const [prec, assoc] = BINARY[node.op];
      // The "other" side of an operator of equal precedence needs parentheses
      // to keep the tree's shape (a-(b-c), (a^2)^3).
      const leftParens = assoc === "left" ? precedence(node.left) < prec : precedence(node.left) <= prec;
      const rightParens = assoc === "left" ? precedence(node.right) <= prec : precedence(node.right) < NEG_PREC;
      return `${wrap(node.left, leftParens)}${node.op}${wrap(node.right, rightParens)}`;
    }
    default:
      throw new Error(`unknown AST node ${node.type}`);
  }
}

function wrap(node, parens) {
  const s = print(node);
  return parens ? `(${s})` : s;
}

/** Names of the variables in order of first appearance. */
export function variables(ast) {
  const seen = [];
  (function walk(n) {
    if (n.type === "var" && !seen.includes(n.name)) seen.push(n.name);
    if (n.arg) walk(n.arg);
    if (n.left) { walk(n.left); walk(n.right); }
    if (n.args) n.args.forEach(walk);
  })(ast);
  return seen;
}

/**
 * AST -> engine graph. Each variable becomes ONE input node however often it
 * is used (a fanning-out wire, whose gradients sum); a - b becomes
 * a + (-b) and a / b becomes a * (1/b), as the guide decomposes division.
 * `order` optionally fixes the order of the input nodes (e.g. the order of
 * the embed's `values`), the rest follow in order of appearance.
 */
export function toGraph(ast, order = []) {
  const nodes = [];
  const shared = new Map(); // gate key -> id: the same gate on the same wires is built once
  const add = (node) => {
    // A repeated subexpression, e.g. q in q*q for ((a*b+c)*d)*((a*b+c)*d), becomes ONE gate
    // whose output wire forks: the circuit is a DAG, as in the guide's picture, and the fork
    // is where the two gradients add up. Constants stay separate leaves (nothing flows back).
    const key = node.args ? `${node.op}|${node.p ?? ""}|${node.args.join(",")}` : null;
    if (key && shared.has(key)) return shared.get(key);
    node.id = nodes.length;
    nodes.push(node);
    if (key) shared.set(key, node.id);
    return node.id;
  };
  const found = variables(ast);
  const names = [...order.filter((n) => found.includes(n)), ...found.filter((n) => !order.includes(n))];
  const inputIds = {};
  for (const name of names) inputIds[name] = add({ op: "input", name });

  function build(n) {
    switch (n.type) {
      case "num":
        return add({ op: "const", value: n.value });
      case "var":
        return inputIds[n.name];
      case "neg":
        // A literal like -2 is one constant, not a gate.
        if (n.arg.type === "num") return add({ op: "const", value: -n.arg.value });
        return add({ op: "neg", args: [build(n.arg)], expr: print(n) });
      case "call": {
        const gate = FUNCTIONS[n.name].gate;
        let id = build(n.args[0]);
        if (n.args.length === 1) return add({ op: gate, args: [id], expr: print(n) });
        for (let i = 1; i < n.args.length; i++) id = add({ op: gate, args: [id, build(n.args[i])], expr: print(n) });
        return id;
      }
      case "bin": {
        if (n.op === "^") {
          const p = n.right.type === "neg" ? -n.right.arg.value : n.right.value;
          return add({ op: "pow", p, args: [build(n.left)], expr: print(n) });
        }
        if (n.op === "/" && n.left.type === "num" && n.left.value === 1) {
          // 1/x is the guide's 1/x gate itself, not 1 * (1/x).
          return add({ op: "inv", args: [build(n.right)], expr: print(n) });
        }
        const left = build(n.left);
        let right = build(n.right);
        if (n.op === "-") right = add({ op: "neg", args: [right], expr: `-(${print(n.right)})` });
        if (n.op === "/") right = add({ op: "inv", args: [right], expr: `1/(${print(n.right)})` });
        const op = n.op === "+" || n.op === "-" ? "add" : "mul";
        return add({ op, args: [left, right], expr: print(n) });
      }
      default:
        throw new Error(`unknown AST node ${n.type}`);
    }
  }

  const output = build(ast);
  return { nodes, output };
}

/** Text -> graph in one call. */
export function compile(text, order = []) {
  return toGraph(parse(text), order);
}
