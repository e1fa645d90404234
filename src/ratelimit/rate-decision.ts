/** What the rate limiter decided for one request. */
export type RateDecision =
  /** Health, reflection and other exempt procedures. */
  | { readonly kind: "exempt" }
  | { readonly kind: "allowed"; readonly budget: Budget }
  | { readonly kind: "exceeded"; readonly budget: Budget; readonly retryAfterMs: number }
  /** The shared store (Redis) could not be reached; policy decides what happens. */
  | { readonly kind: "store-unavailable"; readonly failClosed: boolean };

export interface Budget {
  /** The rate-limit key: `ws:<wid>` or `ip:<address>`. */
  readonly key: string;
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window resets. */
  readonly resetMs: number;
}
