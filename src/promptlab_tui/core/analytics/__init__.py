"""The usage analytics core (pure, no I/O): periods, figures and deltas, forecast, re-pricing, recommendations,
estimate accuracy and prompt efficiency. Money is integer nano-dollars; the store feeds it per-day sums."""
