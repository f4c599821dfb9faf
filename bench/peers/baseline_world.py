"""A vectorised NumPy implementation of the simulator's `baseline` world plus the positions' check —
what a quant would write instead of Lantern's simulator (issue 14 / DESIGN.md §6: Lantern must be, per
core, at least 3x faster than this). Not a reimplementation of every rule: the same per-step work in
the obvious vectorised form, across all paths at once, one time step at a time.

Per one-minute step and path (the same draws as the TypeScript world, ~10 normals per path-step):
- true rate: the staking reward at each 48 h epoch boundary, APR ~ N(7%, 0.5%);
- committee: one daily report of the true rate (offline/late members drawn per frame);
- discount: Ornstein-Uhlenbeck toward -20 bps (half-life 1.5 epochs, sd 8 bps), Poisson jumps (1/yr,
  mean 30 bps), flash dips (2/yr, mean 450 bps, 10-minute half-life), a Markov stress regime
  (1/yr, ~7 days, -150 bps, sd 40 bps, intensities x4), the instant-unstake floor at fair - 30 bps;
- market oracle: 9 members observe the DEX price with 2 bps noise; median, lower median, median
  absolute deviation, the 2% agreement gate, EMAs of the median and of the low (1 h half-life);
- pool: hourly logit-OU utilisation around 60% (half-life 3 days, sd 0.3) -> the kinked borrow curve;
- positions: the borrow index, the MinOfBoth maintenance price min(fair, EMA_low) and the check
  against the book's highest liquidation threshold (10,000 sub-accounts sorted once: one comparison
  per path-step, as Lantern's frontier does when nobody crosses).

Usage: python3 bench/peers/baseline_world.py PATHS [DAYS] [SEED] -> prints one JSON line with the
wall time and ns per path-step. Single-threaded (NumPy's element-wise kernels do not use threads).
"""

import json
import sys
import time

import numpy as np

YEAR = 31_536_000.0
DT = 60.0


def run(paths: int, days: float, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    steps = int(round(days * 86_400 / DT))
    members = 9
    # Population: 10,000 sub-accounts, leverage U(2, 10): their liquidation thresholds θ = (L-1)/(L·LT).
    lev = rng.uniform(2.0, 10.0, 10_000)
    lt = 0.93
    theta_max = float(np.max((lev - 1.0) / (lev * lt)))

    true_rate = np.ones(paths)
    fair = np.ones(paths)
    slow = np.full(paths, -20e-4)
    flash = np.zeros(paths)
    stress = np.zeros(paths, dtype=bool)
    ema = np.ones(paths)
    ema_low = np.ones(paths)
    index = np.ones(paths)
    util_logit = np.full(paths, np.log(0.6 / 0.4))
    apr_borrow = np.full(paths, 0.03)
    min_depeg = np.zeros(paths)
    liquidatable_steps = np.zeros(paths, dtype=np.int64)

    epoch_steps = int(48 * 3600 / DT)
    frame_steps = int(24 * 3600 / DT)
    a_slow = 2.0 ** (-DT / (1.5 * 48 * 3600))
    n_slow = np.sqrt(1 - a_slow * a_slow)
    a_flash = 2.0 ** (-DT / 600.0)
    w_ema = 1 - 2.0 ** (-DT / 3600.0)
    a_util = 2.0 ** (-3600.0 / (3 * 86_400))
    n_util = np.sqrt(1 - a_util * a_util) * 0.3
    p_jump = 1.0 / YEAR * DT
    p_flash = 2.0 / YEAR * DT
    p_enter = 1.0 / YEAR * DT
    p_leave = DT / (7 * 86_400)
    floor_log = np.log(1 - 30e-4)
    kinks_u = np.array([0.0, 0.8, 0.9, 1.0])
    kinks_r = np.array([0.0, 0.04, 0.07, 0.5])

    t0 = time.perf_counter()
    for k in range(1, steps + 1):
        if k % epoch_steps == 0:
            apr = np.maximum(0.0, rng.normal(0.07, 0.005, paths))
            true_rate *= 1 + apr * (48 * 3600 / YEAR)
        if k % frame_steps == 0:
            # The committee's frame: member roles drawn, an honest quorum reports the true rate.
            roles = rng.random((members, paths))
            quorum = (roles > 0.03).sum(axis=0) >= 5
            fair = np.where(quorum, true_rate, fair)
        # Stress regime (Markov), jumps and flash dips (Bernoulli per step), the OU slow component.
        u = rng.random((3, paths))
        stress = np.where(stress, u[0] > p_leave, u[0] < p_enter)
        inten = np.where(stress, 4.0, 1.0)
        level = np.where(stress, -150e-4, -20e-4)
        sd = np.where(stress, 40e-4, 8e-4)
        slow = level + (slow - level) * a_slow + sd * n_slow * rng.standard_normal(paths)
        jumps = u[1] < p_jump * inten
        if jumps.any():
            slow[jumps] -= 30e-4 * rng.exponential(1.0, int(jumps.sum()))
        flash *= a_flash
        dips = u[2] < p_flash * inten
        if dips.any():
            flash[dips] -= 450e-4 * rng.exponential(1.0, int(dips.sum()))
        x = slow + flash
        floor = np.log(fair / true_rate) + floor_log
        x = np.maximum(x, floor)
        dex = true_rate * np.exp(x)
        # Market oracle: 9 observations, median, lower median, MAD band, agreement gate, two EMAs.
        obs = dex * (1 + 2e-4 * rng.standard_normal((members, paths)))
        obs.sort(axis=0)
        med = obs[4]
        low = obs[4]  # 9 members: the lower median is the 5th of 9
        band = np.median(np.abs(obs - med), axis=0)
        agree = band <= 0.02 * med
        ema = np.where(agree, ema + (med - ema) * w_ema, ema)
        ema_low = np.where(agree, ema_low + (low - ema_low) * w_ema, ema_low)
        # Pool: hourly utilisation update and the borrow curve.
        if k % 60 == 0:
            util_logit = np.log(0.6 / 0.4) + (util_logit - np.log(0.6 / 0.4)) * a_util + n_util * rng.standard_normal(paths)
            apr_borrow = np.interp(1 / (1 + np.exp(-util_logit)), kinks_u, kinks_r)
        # Positions: the borrow index, the maintenance price, the check against the highest threshold.
        z = apr_borrow * DT / YEAR
        index *= 1 + z + z * z / 2 + z * z * z / 6
        maint = np.minimum(fair, np.where(agree, ema_low, fair))
        liquidatable_steps += (maint / index) < theta_max
        np.minimum(min_depeg, dex / fair - 1, out=min_depeg)
    wall = time.perf_counter() - t0
    return {
        "peer": "numpy",
        "numpy": np.__version__,
        "paths": paths,
        "steps": steps,
        "wallSecs": wall,
        "nsPerPathStep": wall * 1e9 / (paths * steps),
        "meanMinDepeg": float(min_depeg.mean()),
        "liquidatableSteps": int(liquidatable_steps.sum()),
    }


if __name__ == "__main__":
    paths = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    days = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    print(json.dumps(run(paths, days, seed)))
