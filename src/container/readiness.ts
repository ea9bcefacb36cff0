/** One dependency `/readyz` checks; `check` rejects with the reason when it is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}
