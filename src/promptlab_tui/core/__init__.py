"""The UI-free core: money, pricing, tokens, estimates, budgets. Never imports Textual."""
