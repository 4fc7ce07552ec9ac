/**
 * Node types of a parsed Go template (the shape produced by the parser and
 * walked by the executor).
 *
 * @module
 */

/** A pipeline: optional variable declarations and `|`-separated commands. */
export interface PipeNode {
  /** Offset in the template text. */
  pos: number;
  /** True for `$x = …` (assignment), false for `$x := …` or no declaration. */
  isAssign: boolean;
  /** Declared or assigned variable names (with the `$`). */
  decl: string[];
  /** The commands, first to last. */
  cmds: CommandNode[];
}

/** One command of a pipeline: an operand or function followed by arguments. */
export interface CommandNode {
  /** Offset in the template text. */
  pos: number;
  /** Operands; the first is the function, field or value. */
  args: ArgNode[];
}

/** An operand inside a command. */
export type ArgNode =
  | { kind: "field"; pos: number; ident: string[] }
  | { kind: "variable"; pos: number; ident: string[] }
  | { kind: "dot"; pos: number }
  | { kind: "nil"; pos: number }
  | { kind: "bool"; pos: number; value: boolean }
  | { kind: "number"; pos: number; value: number; text: string }
  | { kind: "string"; pos: number; value: string }
  | { kind: "identifier"; pos: number; name: string }
  | { kind: "chain"; pos: number; node: ArgNode; field: string[] }
  | { kind: "pipe"; pos: number; pipe: PipeNode };

/** A control structure (`if`, `with`, `range`). */
export interface BranchNode {
  /** Which structure. */
  kind: "if" | "with" | "range";
  /** Offset in the template text. */
  pos: number;
  /** The controlling pipeline. */
  pipe: PipeNode;
  /** Body run when the pipeline is true (or per element). */
  list: Node[];
  /** Body of `{{else}}`, if any. */
  elseList: Node[] | undefined;
}

/** A node of a template body. */
export type Node =
  | { kind: "text"; pos: number; text: string }
  | { kind: "action"; pos: number; pipe: PipeNode }
  | BranchNode
  | { kind: "template"; pos: number; name: string; pipe: PipeNode | undefined }
  | { kind: "break"; pos: number }
  | { kind: "continue"; pos: number };
