//! lantern-math: mul-div with a 256-bit intermediate and exact product comparisons.
use lantern_math::{mul_div, product_le, triple_product_le, Rounding, WAD};
use serde_json::{json, Value};

use crate::rng::Rng;
use crate::{s, Area, Cases};

#[allow(clippy::manual_div_ceil, clippy::assign_op_pattern)]
mod wide {
    uint::construct_uint! {
        pub struct U256(4);
    }
}
use wide::U256;

fn opt(value: Option<u128>) -> Value {
    value.map_or(Value::Null, s)
}

fn rounding_name(rounding: Rounding) -> &'static str {
    match rounding {
        Rounding::Down => "Down",
        Rounding::Up => "Up",
    }
}

pub fn generate(rng: &mut Rng) -> Area {
    let mut area = Area::new();

    let mut cases = Cases::new("mulDiv");
    for i in 0..1500 {
        let rounding = if rng.chance(50) { Rounding::Down } else { Rounding::Up };
        let (a, b, c) = match i % 6 {
            // Anything, edges included (c = 0 is the division-by-zero None).
            0 | 1 => (rng.any_u128(), rng.any_u128(), rng.any_u128()),
            // WAD arithmetic as the programs use it.
            2 => (
                u128::from(rng.amount()),
                rng.rate(),
                pick!(rng, [WAD, 2 * WAD, 3 * WAD, 10_000, 1_000_000_000, 31_536_000]),
            ),
            // A quotient at the edge of u128: c = a·b / u128::MAX, give or take one.
            3 => {
                let (a, b) = (rng.bits128() | 1, rng.bits128() | 1);
                let product = U256::from(a) * U256::from(b);
                let c = product / U256::from(u128::MAX);
                let c = match rng.below(3) {
                    0 => c,
                    1 => c + U256::one(),
                    _ => c.saturating_sub(U256::one()),
                };
                (a, b, if c > U256::from(u128::MAX) { u128::MAX } else { c.as_u128() })
            }
            // Exact multiples and one off (the rounding boundary).
            4 => {
                let (q, c) = (rng.bits64() as u128, (rng.bits64() as u128).max(1));
                let off = pick!(rng, [0i8, 1, -1]);
                let a = (q * c).saturating_add_signed(i128::from(off));
                (a, 1, c)
            }
            _ => (rng.bits128(), rng.bits128(), rng.bits128()),
        };
        cases.add(json!([s(a), s(b), s(c), rounding_name(rounding)]), || opt(mul_div(a, b, c, rounding)));
    }
    area.push(cases);

    let mut cases = Cases::new("productLe");
    for i in 0..400 {
        let (a, b, c, d) = match i % 3 {
            0 => (rng.any_u128(), rng.any_u128(), rng.any_u128(), rng.any_u128()),
            // Equal products, then one unit off on a side.
            1 => {
                let (x, y) = (rng.any_u128(), rng.any_u128());
                (x, y, y, x)
            }
            _ => {
                let (x, y) = (rng.bits128(), rng.bits128());
                (x, y, rng.near_u128(y, 1), x)
            }
        };
        cases.add(json!([s(a), s(b), s(c), s(d)]), || json!(product_le(a, b, c, d)));
    }
    area.push(cases);

    let mut cases = Cases::new("tripleProductLe");
    for i in 0..400 {
        let v: [u128; 6] = match i % 3 {
            0 => std::array::from_fn(|_| rng.any_u128()),
            1 => {
                let (x, y, z) = (rng.bits128(), rng.bits128(), rng.bits128());
                [x, y, z, z, rng.near_u128(x, 1), y]
            }
            _ => std::array::from_fn(|_| rng.bits64() as u128 * rng.bits64() as u128),
        };
        cases.add(json!(v.iter().map(|x| s(*x)).collect::<Vec<_>>()), || {
            triple_product_le(v[0], v[1], v[2], v[3], v[4], v[5]).map_or(Value::Null, Value::Bool)
        });
    }
    area.push(cases);

    area
}
