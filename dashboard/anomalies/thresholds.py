"""Every threshold of the anomaly detectors, in one place, with the reason for each value.

The same values hold for every data set and every demo seed: nothing here is tuned to one seed.
Money thresholds are integer tiyn (1 ₸ = 100 tiyn).
"""
TENGE = 100  # tiyn

# Peer groups (same type, same region; nationwide same type when the regional group is smaller).
MIN_PEERS = 8  # below 8 institutions a median and MAD are too unstable to judge one member
SIZE_CLASSES = 4  # capacity quartile bands within a type: small schools cost more per pupil
MAD_TO_SD = 1.4826  # MAD × 1.4826 estimates the standard deviation of a normal distribution
MIN_HISTORY_YEARS = 2  # other years needed before an institution's own history counts

# year_end_dumping: December ÷ the average month with payments (EBRD norm ≈ 1.76).
DUMP_MIN_RATIO = 2.0  # above the 1.76 norm; a high December alone is ordinary, the tests below decide
DUMP_MIN_EXCESS = 0.3  # log-ratio above both the own-history and the peer median (≈ ×1.35)
DUMP_MIN_Z = 3.5  # robust z against own history and against peers (MAD-based)
DUMP_MAD_FLOOR = 0.08  # log units: stable histories would otherwise give huge z for tiny moves
DUMP_MIN_MONTHS = 3  # months with payments needed for a monthly average to mean anything

# paid_above_plan: paid above the month's (or cumulative) adjusted plan.
# Paying beyond the financing plan breaks budget discipline at any size: the floors only keep
# rounding (tiyn, a tenge) and tiny timing noise out.
PAP_MIN_EXCESS = 1_000 * TENGE  # at least 1,000 ₸ over the plan
PAP_MIN_RATIO = 1.01  # and at least 1 % over it

# unit_cost: log(cost per unit) against peers of the same type, size class and region.
UNIT_MIN_RATIO = 1.8  # at least 1.8× the peer median per unit
UNIT_MIN_Z = 4.0  # and a robust z of 4 against the peers' spread
UNIT_MAD_FLOOR = 0.05  # log units (5 %): a very uniform group must not turn 20 % into z = 10
# … or clearly above peers AND a one-year jump against its own history (current spending per
# unit barely moves from year to year, so doubling in one year is itself strong evidence)
UNIT_JUMP_PEER_RATIO = 1.4
UNIT_JUMP_PEER_Z = 3.0
UNIT_JUMP_RATIO = 2.0  # at least 2× its own median of other years (robust z ≥ UNIT_MIN_Z too)
# types without a unit: the year's current spending against own history adjusted by the peers' growth
TOTAL_MIN_RATIO = 2.0  # at least 2× what history and peer growth predict
TOTAL_MIN_Z = 4.0
TOTAL_MAD_FLOOR = 0.1  # current spending still moves ~10 % a year (staff, tariffs): no z from tiny MADs

# spike: one line's month against its own trend.
SPIKE_MIN_RATIO = 3.0  # the month is at least 3× what the line usually pays that month
SPIKE_MIN_EXCESS = 50_000 * TENGE  # and at least 50,000 ₸ above it (material)
SPIKE_MIN_YEAR_SHARE = 0.001  # and at least 0.1 % of the institution's year (material to it)
SPIKE_MAX_LINES = 3  # 3+ lines jumping in the same month is dumping or reorganisation, not a spike

# round_amounts: binomial tail against each specific's own base rate, Bonferroni cut-off.
ROUND_UNIT = 100_000 * TENGE  # "round" = a whole multiple of 100,000 ₸
ROUND_ALPHA = 0.01  # family-wise error rate over all line-years tested (Bonferroni)
ROUND_MIN_AMOUNT = 100_000 * TENGE  # a round month counts only from 100,000 ₸ (small sums are often whole)

# silence: appeals left unanswered or mostly rejected.
SILENCE_MIN_OVERDUE = 2  # two overdue appeals in a year, or one overdue by a month
SILENCE_LONG_OVERDUE_DAYS = 30
SILENCE_REJECT_SHARE = 0.6  # most decided appeals rejected …
SILENCE_MIN_DECIDED = 3  # … out of at least three (one rejection is not a pattern)
