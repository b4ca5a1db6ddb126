// Names and reasons of the SET_IRQS oracle's rule ids (the contract's oracle.rules).
import { RULES as TABLE } from "./generated/wasm-abi.js";

export interface RuleInfo {
  id: number;
  name: string;
  /** The errno the kernel usually answers with (null: the call succeeds or returns a count). */
  errno: string | null;
  reason: string;
  /** The vfio_irq_set fields the rule judges ("data": the payload). */
  fields: readonly string[];
}
export const RULES: readonly RuleInfo[] = TABLE;
export const ruleName = (id: number): string => RULES[id]?.name ?? `RULE_${id}`;
export const ruleReason = (id: number): string => RULES[id]?.reason ?? `rule ${id}`;
