"""Medium-term (five-year) plans: the commune's period, each village's F7 plan, and the yearly
plans drawn from it (issue 18)."""
