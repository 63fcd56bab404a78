"""reloop trade-in: buying used devices back, from quote to payout, and the store credit it pays in."""
