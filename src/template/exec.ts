/**
 * Executes a parsed Go template against data, following text/template's
 * evaluation rules (fields, methods, pipelines, variables, control
 * structures, `<no value>` for missing map keys).
 *
 * @module
 */

import { formatValue } from "./fmt.ts";
import { BUILTIN_FUNCS, type FuncEnv, FuncError } from "./funcs.ts";
import { GoTime } from "../gotypes/go_time.ts";
import { positionOf } from "./lexer.ts";
import type { ArgNode, BranchNode, CommandNode, Node, PipeNode } from "./parse_tree.ts";
import type { ParsedTemplate } from "./parser.ts";
import { TemplateError } from "./template_error.ts";
import { isTrue, kindOf, lookupMember, mapGet, mapKeys, typeName } from "./values.ts";

/** A function supplied by the caller through `parseTemplate(…, { funcs })`. */
export type UserFunc = (...args: unknown[]) => unknown;

/** Deepest nesting of `{{template}}` calls. */
const MAX_DEPTH = 1000;

/** Marks "no value piped in from a previous command". */
const NO_FINAL: unique symbol = Symbol("noFinal");
/** A piped-in value or {@link NO_FINAL}. */
type Final = unknown;

class BreakSignal {}
class ContinueSignal {}

/**
 * Runs a parsed template.
 *
 * @param source the template text (for error positions)
 * @param tree the parse result
 * @param userFuncs caller functions (take precedence over built-ins)
 * @param data the value of `.` and `$`
 * @param env I/O and clock for functions
 * @returns the output text
 * @throws {TemplateError} on any execution error, with the position of the failing action
 */
export function executeTree(
  source: string,
  tree: ParsedTemplate,
  userFuncs: Readonly<Record<string, UserFunc>>,
  data: unknown,
  env: FuncEnv,
): string {
  const state = new State(source, tree, userFuncs, env, data);
  state.walkList(data, tree.root);
  return state.out.join("");
}

class State {
  out: string[] = [];
  #source: string;
  #tree: ParsedTemplate;
  #userFuncs: Readonly<Record<string, UserFunc>>;
  #env: FuncEnv;
  #vars: { name: string; value: unknown }[];
  #depth = 0;

  constructor(
    source: string,
    tree: ParsedTemplate,
    userFuncs: Readonly<Record<string, UserFunc>>,
    env: FuncEnv,
    data: unknown,
  ) {
    this.#source = source;
    this.#tree = tree;
    this.#userFuncs = userFuncs;
    this.#env = env;
    this.#vars = [{ name: "$", value: data }];
  }

  #error(pos: number, detail: string, cause?: unknown): TemplateError {
    const { line, col } = positionOf(this.#source, pos);
    return new TemplateError(
      this.#source,
      line,
      col,
      detail,
      "execute",
      cause === undefined ? undefined : { cause },
    );
  }

  walkList(dot: unknown, list: Node[]): void {
    for (const node of list) this.#walk(dot, node);
  }

  #walk(dot: unknown, node: Node): void {
    switch (node.kind) {
      case "text":
        this.out.push(node.text);
        return;
      case "action": {
        const v = this.#evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out.push(this.#printable(v));
        return;
      }
      case "if":
      case "with":
        return this.#walkIfOrWith(dot, node);
      case "range":
        return this.#walkRange(dot, node);
      case "template":
        return this.#walkTemplate(dot, node.pos, node.name, node.pipe);
      case "break":
        throw new BreakSignal();
      case "continue":
        throw new ContinueSignal();
    }
  }

  #printable(v: unknown): string {
    if (v === undefined || v === null) return "<no value>";
    return formatValue(v instanceof Date ? GoTime.fromDate(v) : v);
  }

  #walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.#vars.length;
    try {
      const v = this.#evalPipeline(dot, node.pipe);
      if (isTrue(v)) this.walkList(node.kind === "with" ? v : dot, node.list);
      else if (node.elseList !== undefined) this.walkList(dot, node.elseList);
    } finally {
      this.#vars.length = mark;
    }
  }

  #walkRange(dot: unknown, node: BranchNode): void {
    const mark = this.#vars.length;
    try {
      const val = this.#evalPipeline(dot, node.pipe);
      const inner = this.#vars.length;
      const decl = node.pipe.decl;
      const one = (key: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (node.pipe.isAssign) {
            if (decl.length > 1) {
              this.#setVar(decl[0] as string, key);
              this.#setVar(decl[1] as string, elem);
            } else this.#setVar(decl[0] as string, elem);
          } else {
            const top = this.#vars.length - 1;
            if (decl.length > 1) {
              this.#vars[top - 1] = { name: decl[0] as string, value: key };
            }
            this.#vars[top] = { name: decl[decl.length - 1] as string, value: elem };
          }
        }
        try {
          this.walkList(elem, node.list);
        } catch (e) {
          if (e instanceof BreakSignal) return false;
          if (!(e instanceof ContinueSignal)) throw e;
        } finally {
          this.#vars.length = inner;
        }
        return true;
      };
      let count = 0;
      switch (kindOf(val)) {
        case "invalid":
        case "nil":
          break;
        case "slice": {
          const arr = val as ArrayLike<unknown>;
          for (let i = 0; i < arr.length; i++) {
            count++;
            if (!one(i, arr[i])) break;
          }
          break;
        }
        case "map":
          for (const k of mapKeys(val)) {
            count++;
            if (!one(k, mapGet(val, k))) break;
          }
          break;
        case "int": {
          if (decl.length > 1) {
            throw this.#error(
              node.pos,
              `can't use ${formatValue(val)} to iterate over more than one variable`,
            );
          }
          const n = Number(val);
          for (let i = 0; i < n; i++) {
            count++;
            if (!one(i, i)) break;
          }
          break;
        }
        default:
          throw this.#error(node.pipe.pos, `range can't iterate over ${formatValue(val)}`);
      }
      if (count === 0 && node.elseList !== undefined) this.walkList(dot, node.elseList);
    } finally {
      this.#vars.length = mark;
    }
  }

  #walkTemplate(dot: unknown, pos: number, name: string, pipe: PipeNode | undefined): void {
    const body = this.#tree.defines.get(name);
    if (body === undefined) throw this.#error(pos, `no such template ${JSON.stringify(name)}`);
    if (this.#depth >= MAX_DEPTH) {
      throw this.#error(pos, `exceeded maximum template depth (${MAX_DEPTH})`);
    }
    const newDot = pipe === undefined ? undefined : this.#evalPipeline(dot, pipe);
    const saved = this.#vars;
    this.#vars = [{ name: "$", value: newDot }];
    this.#depth++;
    try {
      this.walkList(newDot, body);
    } finally {
      this.#depth--;
      this.#vars = saved;
    }
  }

  // ---- variables ----

  #varValue(pos: number, name: string): unknown {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const v = this.#vars[i];
      if (v !== undefined && v.name === name) return v.value;
    }
    throw this.#error(pos, `undefined variable: ${name}`);
  }

  #setVar(name: string, value: unknown, pos = 0): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const v = this.#vars[i];
      if (v !== undefined && v.name === name) {
        v.value = value;
        return;
      }
    }
    throw this.#error(pos, `undefined variable: ${name}`);
  }

  // ---- pipelines and commands ----

  #evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: Final = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.#evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.#setVar(name, value, pipe.pos);
      else this.#vars.push({ name, value });
    }
    return value;
  }

  #evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as ArgNode;
    switch (first.kind) {
      case "field":
        return this.#evalFieldChain(dot, dot, first.pos, first.ident, cmd.args, final);
      case "chain":
        return this.#evalChain(dot, first, cmd.args, final);
      case "identifier":
        return this.#evalFunction(dot, first.name, first.pos, cmd.args, final);
      case "pipe":
        this.#notAFunction(cmd.args, final, first.pos);
        return this.#evalPipeline(dot, first.pipe);
      case "variable":
        return this.#evalVariable(dot, first, cmd.args, final);
      case "nil":
        throw this.#error(first.pos, "nil is not a command");
    }
    this.#notAFunction(cmd.args, final, first.pos);
    return this.#evalArg(dot, first);
  }

  #notAFunction(args: ArgNode[], final: Final, pos: number): void {
    if (args.length > 1 || final !== NO_FINAL) {
      throw this.#error(pos, `can't give argument to non-function ${nodeText(args[0])}`);
    }
  }

  #evalArg(dot: unknown, n: ArgNode): unknown {
    switch (n.kind) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "bool":
      case "number":
      case "string":
        return n.value;
      case "field":
        return this.#evalFieldChain(dot, dot, n.pos, n.ident, [n], NO_FINAL);
      case "variable":
        return this.#evalVariable(dot, n, [n], NO_FINAL);
      case "pipe":
        return this.#evalPipeline(dot, n.pipe);
      case "identifier":
        return this.#evalFunction(dot, n.name, n.pos, [n], NO_FINAL);
      case "chain":
        return this.#evalChain(dot, n, [n], NO_FINAL);
    }
  }

  #evalChain(
    dot: unknown,
    chain: Extract<ArgNode, { kind: "chain" }>,
    args: ArgNode[],
    final: Final,
  ): unknown {
    if (chain.node.kind === "nil") throw this.#error(chain.pos, "indirection through explicit nil");
    const recv = this.#evalArg(dot, chain.node);
    return this.#evalFieldChain(dot, recv, chain.pos, chain.field, args, final);
  }

  #evalVariable(
    dot: unknown,
    v: Extract<ArgNode, { kind: "variable" }>,
    args: ArgNode[],
    final: Final,
  ): unknown {
    const value = this.#varValue(v.pos, v.ident[0] as string);
    if (v.ident.length === 1) {
      this.#notAFunction(args, final, v.pos);
      return value;
    }
    return this.#evalFieldChain(dot, value, v.pos, v.ident.slice(1), args, final);
  }

  #evalFieldChain(
    dot: unknown,
    receiver: unknown,
    pos: number,
    ident: string[],
    args: ArgNode[],
    final: Final,
  ): unknown {
    let recv = receiver;
    for (let i = 0; i < ident.length - 1; i++) {
      recv = this.#evalField(dot, ident[i] as string, pos, [], NO_FINAL, recv);
    }
    return this.#evalField(dot, ident[ident.length - 1] as string, pos, args, final, recv);
  }

  #evalField(
    dot: unknown,
    name: string,
    pos: number,
    args: ArgNode[],
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) throw this.#error(pos, `nil pointer evaluating <nil>.${name}`);
    const recv = receiver instanceof Date ? GoTime.fromDate(receiver) : receiver;
    const hasArgs = args.length > 1 || final !== NO_FINAL;
    const kind = kindOf(recv);
    if (kind === "map" || kind === "struct") {
      const { found, value } = lookupMember(recv as object, name);
      if (found && typeof value === "function") {
        const method = (...a: unknown[]) => (value as UserFunc).apply(recv, a);
        return this.#call(dot, method, name, pos, args, final);
      }
      if (hasArgs) {
        throw this.#error(pos, `${name} is not a method but has arguments`);
      }
      return found ? value : undefined;
    }
    throw this.#error(pos, `can't evaluate field ${name} in type ${typeName(recv)}`);
  }

  #evalFunction(
    dot: unknown,
    name: string,
    pos: number,
    args: ArgNode[],
    final: Final,
  ): unknown {
    const user = Object.hasOwn(this.#userFuncs, name) ? this.#userFuncs[name] : undefined;
    if (user !== undefined) return this.#call(dot, user, name, pos, args, final);
    const def = BUILTIN_FUNCS[name];
    if (def === undefined) throw this.#error(pos, `function ${JSON.stringify(name)} not defined`);
    const count = args.length - 1 + (final === NO_FINAL ? 0 : 1);
    if (count < def.min || count > def.max) {
      const want = def.min === def.max ? `${def.min}` : `at least ${def.min}`;
      throw this.#error(pos, `wrong number of args for ${name}: want ${want} got ${count}`);
    }
    if (name === "and" || name === "or") {
      let v: unknown;
      const argNodes = args.slice(1);
      const total = argNodes.length + (final === NO_FINAL ? 0 : 1);
      for (let i = 0; i < total; i++) {
        const n = argNodes[i];
        v = n !== undefined ? this.#evalArg(dot, n) : final;
        if (isTrue(v) === (name === "or")) return v;
      }
      return v;
    }
    const env = this.#env;
    return this.#call(dot, (...a: unknown[]) => def.fn(env, a), name, pos, args, final);
  }

  #call(
    dot: unknown,
    fn: UserFunc,
    name: string,
    pos: number,
    args: ArgNode[],
    final: Final,
  ): unknown {
    const argv = args.slice(1).map((n) => this.#evalArg(dot, n));
    if (final !== NO_FINAL) argv.push(final);
    const clean = argv.map((x) => (x === undefined ? null : x));
    let result: unknown;
    try {
      result = fn(...clean);
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw this.#error(
        pos,
        `error calling ${name}: ${msg}`,
        err instanceof FuncError ? undefined : err,
      );
    }
    if (result instanceof Promise) {
      result.catch(() => {});
      throw this.#error(
        pos,
        `error calling ${name}: returned a Promise (functions must be synchronous)`,
      );
    }
    return result;
  }
}

function nodeText(n: ArgNode | undefined): string {
  if (n === undefined) return "";
  switch (n.kind) {
    case "field":
      return "." + n.ident.join(".");
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "number":
      return n.text;
    case "string":
      return JSON.stringify(n.value);
    case "identifier":
      return n.name;
    case "chain":
      return `(${nodeText(n.node)}).${n.field.join(".")}`;
    case "pipe":
      return "(pipeline)";
  }
}
