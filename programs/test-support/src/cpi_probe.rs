//! A minimal native program that exists to prove cross-program invocation works in native mode:
//! it CPIs into SPL Token (real SBF) and into the oracle (natively compiled), signing with its PDAs.
use anchor_lang::prelude::{AccountInfo, ProgramError, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;
use anchor_lang::{InstructionData, ToAccountMetas};

anchor_lang::prelude::declare_id!("2VrGnmsMXNSRc7x87vK2vQNdM12KpmtxxeZz5MDkSyJm");

/// Seed of the PDA that is the mint authority of a mint the probe mints from.
pub const MINT_AUTHORITY_SEED: &[u8] = b"probe-mint-authority";
/// Seed of the PDA that sits on an oracle committee as a member's hot signer.
pub const MEMBER_SEED: &[u8] = b"probe-member";

pub fn pda(seed: &[u8]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[seed], &ID)
}

/// `[0, amount: u64 LE]` with accounts `[mint, destination, authority PDA, token program]`: mint_to.
pub fn mint_to(mint: Pubkey, destination: Pubkey, amount: u64) -> Instruction {
    let mut data = vec![0];
    data.extend_from_slice(&amount.to_le_bytes());
    Instruction {
        program_id: ID,
        accounts: vec![
            AccountMeta::new(mint, false),
            AccountMeta::new(destination, false),
            AccountMeta::new_readonly(pda(MINT_AUTHORITY_SEED).0, false),
            AccountMeta::new_readonly(spl_token::ID, false),
        ],
        data,
    }
}

/// `[1, price: u128 LE, observed_ts: i64 LE]` with accounts `[member PDA, committee, feed, oracle]`:
/// oracle `submit_price` signed by the probe's PDA.
pub fn submit_price(committee: Pubkey, feed: Pubkey, price: u128, observed_ts: i64) -> Instruction {
    let mut data = vec![1];
    data.extend_from_slice(&price.to_le_bytes());
    data.extend_from_slice(&observed_ts.to_le_bytes());
    let mut accounts =
        oracle::accounts::SubmitPrice { signer: pda(MEMBER_SEED).0, committee, feed }.to_account_metas(None);
    accounts.iter_mut().for_each(|meta| meta.is_signer = false);
    accounts.push(AccountMeta::new_readonly(oracle::ID, false));
    Instruction { program_id: ID, accounts, data }
}

pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    match data.split_first() {
        Some((0, rest)) => {
            let amount = u64::from_le_bytes(rest.try_into().map_err(|_| ProgramError::InvalidInstructionData)?);
            let [mint, destination, authority, token_program] = accounts else {
                return Err(ProgramError::NotEnoughAccountKeys);
            };
            let (_, bump) = Pubkey::find_program_address(&[MINT_AUTHORITY_SEED], program_id);
            let ix = spl_token::instruction::mint_to(
                token_program.key,
                mint.key,
                destination.key,
                authority.key,
                &[],
                amount,
            )?;
            invoke_signed(
                &ix,
                &[mint.clone(), destination.clone(), authority.clone(), token_program.clone()],
                &[&[MINT_AUTHORITY_SEED, &[bump]]],
            )
        }
        Some((1, rest)) if rest.len() == 24 => {
            let price = u128::from_le_bytes(rest[..16].try_into().map_err(|_| ProgramError::InvalidInstructionData)?);
            let observed_ts =
                i64::from_le_bytes(rest[16..].try_into().map_err(|_| ProgramError::InvalidInstructionData)?);
            let [member, committee, feed, oracle_program] = accounts else {
                return Err(ProgramError::NotEnoughAccountKeys);
            };
            let (_, bump) = Pubkey::find_program_address(&[MEMBER_SEED], program_id);
            let args = oracle::SubmitPriceArgs { price, observed_ts };
            let ix = Instruction {
                program_id: *oracle_program.key,
                accounts: oracle::accounts::SubmitPrice {
                    signer: *member.key,
                    committee: *committee.key,
                    feed: *feed.key,
                }
                .to_account_metas(None),
                data: oracle::instruction::SubmitPrice { args }.data(),
            };
            invoke_signed(
                &ix,
                &[member.clone(), committee.clone(), feed.clone(), oracle_program.clone()],
                &[&[MEMBER_SEED, &[bump]]],
            )
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}
