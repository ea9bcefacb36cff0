export interface IdGenerator {
  /** A snowflake-style 64-bit id, as a decimal string (JSON numbers cannot hold 64 bits). */
  nextId(): string;
}

export const ID_GENERATOR = Symbol.for('IdGenerator');
