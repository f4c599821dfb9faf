//! Accounts: by key, by program with filters, balances, and the SPL Token views wallets use.
use jsonrpsee::proc_macros::rpc;
use solana_account_decoder_client_types::token::UiTokenAmount;
use solana_account_decoder_client_types::{UiAccount, UiDataSliceConfig};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcContextConfig, RpcProgramAccountsConfig, RpcTokenAccountsFilter,
};
use solana_rpc_client_api::response::{
    OptionalContext, Response as RpcResponse, RpcKeyedAccount, RpcTokenAccountBalance,
};
use solana_sdk::{account::Account, program_pack::Pack, pubkey::Pubkey};

use super::{parse_pubkey, RpcError, RpcResult};
use crate::chain::{ui_token_amount, Chain};
use crate::encoding::{self, response, DataEncoding};
use crate::node::Node;

/// `getMultipleAccounts` answers at most this many keys per request, as a validator does.
const MAX_MULTIPLE_ACCOUNTS: usize = 100;

#[rpc(server)]
pub trait AccountsRpc {
    #[method(name = "getBalance")]
    fn get_balance(&self, pubkey: String, config: Option<RpcContextConfig>) -> RpcResult<RpcResponse<u64>>;
    #[method(name = "getAccountInfo")]
    fn get_account_info(
        &self,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Option<UiAccount>>>;
    #[method(name = "getMultipleAccounts")]
    fn get_multiple_accounts(
        &self,
        pubkeys: Vec<String>,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<Option<UiAccount>>>>;
    #[method(name = "getProgramAccounts")]
    fn get_program_accounts(
        &self,
        program: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> RpcResult<OptionalContext<Vec<RpcKeyedAccount>>>;
    #[method(name = "getTokenAccountBalance")]
    fn get_token_account_balance(
        &self,
        pubkey: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<RpcResponse<UiTokenAmount>>;
    #[method(name = "getTokenSupply")]
    fn get_token_supply(&self, mint: String, config: Option<RpcContextConfig>)
        -> RpcResult<RpcResponse<UiTokenAmount>>;
    #[method(name = "getTokenLargestAccounts")]
    fn get_token_largest_accounts(
        &self,
        mint: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcTokenAccountBalance>>>;
    #[method(name = "getTokenAccountsByOwner")]
    fn get_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>>;
    #[method(name = "getTokenAccountsByDelegate")]
    fn get_token_accounts_by_delegate(
        &self,
        delegate: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>>;
    /// web3.js's `getParsedTokenAccountsByOwner` is `getTokenAccountsByOwner` with `jsonParsed`; the
    /// method of that name is served too, for clients that send it as such.
    #[method(name = "getParsedTokenAccountsByOwner")]
    fn get_parsed_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>>;
    #[method(name = "getParsedTokenAccountsByDelegate")]
    fn get_parsed_token_accounts_by_delegate(
        &self,
        delegate: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>>;
}

fn data_encoding(config: &RpcAccountInfoConfig) -> RpcResult<DataEncoding> {
    DataEncoding::of(config).map_err(RpcError::invalid_params)
}

/// An account as the RPC shows it: `None` for one that does not exist (no lamports, no data).
fn account_value(
    chain: &Chain,
    key: &Pubkey,
    account: Option<Account>,
    encoding: DataEncoding,
    slice: Option<&UiDataSliceConfig>,
) -> Option<UiAccount> {
    match account {
        Some(a) if a.lamports > 0 || !a.data.is_empty() => {
            Some(encoding::ui_account(key, &a, encoding, slice, chain.token_decimals(&a)))
        }
        _ => None,
    }
}

/// SPL Token accounts in the chain's account index that `keep` selects.
fn token_accounts<'a>(
    chain: &'a Chain,
    keep: impl Fn(&spl_token::state::Account) -> bool + 'a,
) -> impl Iterator<Item = (Pubkey, &'a Account, spl_token::state::Account)> + 'a {
    chain.program_accounts(spl_token::ID).filter_map(move |(key, account)| {
        let token = spl_token::state::Account::unpack(&account.data).ok()?;
        keep(&token).then_some((*key, account, token))
    })
}

async fn mint_decimals(chain: &mut Chain, mint: &Pubkey) -> RpcResult<u8> {
    chain
        .decimals_of(mint)
        .await
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: {mint} is not a Token mint")))
}

/// Who a token-accounts query is about.
#[derive(Clone, Copy)]
enum Holder {
    Owner,
    Delegate,
}

impl Node {
    /// `getTokenAccountsBy{Owner,Delegate}`: `encoding` overrides the config's (the parsed variants).
    fn token_accounts_by(
        &self,
        holder: Holder,
        key: &str,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
        encoding: Option<DataEncoding>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>> {
        let who = parse_pubkey(key, if matches!(holder, Holder::Delegate) { "delegate" } else { "owner" })?;
        let mint = match filter {
            RpcTokenAccountsFilter::Mint(mint) => Some(parse_pubkey(&mint, "mint")?),
            RpcTokenAccountsFilter::ProgramId(program) if parse_pubkey(&program, "programId")? == spl_token::ID => None,
            // Only SPL Token runs here: no account belongs to another token program.
            RpcTokenAccountsFilter::ProgramId(_) => return Ok(self.with(async |chain| response(chain.slot(), vec![]))),
        };
        let config = config.unwrap_or_default();
        let encoding = match encoding {
            Some(encoding) => encoding,
            None => data_encoding(&config)?,
        };
        self.with(async |chain| {
            let found: Vec<(Pubkey, Account, spl_token::state::Account)> = token_accounts(chain, |t| {
                let of = match holder {
                    Holder::Owner => Some(t.owner),
                    Holder::Delegate => t.delegate.into(),
                };
                of == Some(who) && mint.is_none_or(|m| t.mint == m)
            })
            .map(|(key, account, token)| (key, account.clone(), token))
            .collect();
            let mut items = Vec::with_capacity(found.len());
            for (key, account, token) in found {
                let decimals = mint_decimals(chain, &token.mint).await?;
                let ui = encoding::ui_account(&key, &account, encoding, config.data_slice.as_ref(), Some(decimals));
                items.push(RpcKeyedAccount { pubkey: key.to_string(), account: ui });
            }
            Ok(response(chain.slot(), items))
        })
    }
}

impl AccountsRpcServer for Node {
    fn get_balance(&self, pubkey: String, _: Option<RpcContextConfig>) -> RpcResult<RpcResponse<u64>> {
        let key = parse_pubkey(&pubkey, "pubkey")?;
        Ok(self.with(async |chain| response(chain.slot(), chain.account(&key).map_or(0, |a| a.lamports))))
    }

    fn get_account_info(
        &self,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Option<UiAccount>>> {
        let key = parse_pubkey(&pubkey, "pubkey")?;
        let config = config.unwrap_or_default();
        let encoding = data_encoding(&config)?;
        Ok(self.with(async |chain| {
            let account = chain.account(&key);
            response(chain.slot(), account_value(chain, &key, account, encoding, config.data_slice.as_ref()))
        }))
    }

    fn get_multiple_accounts(
        &self,
        pubkeys: Vec<String>,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<Option<UiAccount>>>> {
        if pubkeys.len() > MAX_MULTIPLE_ACCOUNTS {
            return Err(RpcError::invalid_params(format!("at most {MAX_MULTIPLE_ACCOUNTS} accounts per request")));
        }
        let keys = pubkeys.iter().map(|text| parse_pubkey(text, "pubkeys")).collect::<RpcResult<Vec<_>>>()?;
        let config = config.unwrap_or_default();
        let encoding = data_encoding(&config)?;
        Ok(self.with(async |chain| {
            let values = keys
                .iter()
                .map(|key| account_value(chain, key, chain.account(key), encoding, config.data_slice.as_ref()))
                .collect();
            response(chain.slot(), values)
        }))
    }

    fn get_program_accounts(
        &self,
        program: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> RpcResult<OptionalContext<Vec<RpcKeyedAccount>>> {
        let program = parse_pubkey(&program, "program id")?;
        let config = config.unwrap_or_default();
        let encoding = data_encoding(&config.account_config)?;
        let filters = config.filters.unwrap_or_default();
        for filter in &filters {
            filter.verify().map_err(|e| RpcError::invalid_params(format!("filter: {e}")))?;
        }
        Ok(self.with(async |chain| {
            let items: Vec<RpcKeyedAccount> = chain
                .program_accounts(program)
                .filter(|(_, account)| filters.iter().all(|f| encoding::filter_allows(f, account)))
                .map(|(key, account)| {
                    let ui = encoding::ui_account(
                        key,
                        account,
                        encoding,
                        config.account_config.data_slice.as_ref(),
                        chain.token_decimals(account),
                    );
                    RpcKeyedAccount { pubkey: key.to_string(), account: ui }
                })
                .collect();
            match config.with_context {
                Some(true) => OptionalContext::Context(response(chain.slot(), items)),
                _ => OptionalContext::NoContext(items),
            }
        }))
    }

    fn get_token_account_balance(
        &self,
        pubkey: String,
        _: Option<RpcContextConfig>,
    ) -> RpcResult<RpcResponse<UiTokenAmount>> {
        let key = parse_pubkey(&pubkey, "token account")?;
        self.with(async |chain| {
            let token = chain
                .account(&key)
                .filter(|a| a.owner == spl_token::ID)
                .and_then(|a| spl_token::state::Account::unpack(&a.data).ok())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token account"))?;
            let decimals = mint_decimals(chain, &token.mint).await?;
            Ok(response(chain.slot(), ui_token_amount(token.amount, decimals)))
        })
    }

    fn get_token_supply(&self, mint: String, _: Option<RpcContextConfig>) -> RpcResult<RpcResponse<UiTokenAmount>> {
        let key = parse_pubkey(&mint, "mint")?;
        self.with(async |chain| {
            let mint = chain
                .account(&key)
                .filter(|a| a.owner == spl_token::ID)
                .and_then(|a| spl_token::state::Mint::unpack(&a.data).ok())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token mint"))?;
            Ok(response(chain.slot(), ui_token_amount(mint.supply, mint.decimals)))
        })
    }

    fn get_token_largest_accounts(
        &self,
        mint: String,
        _: Option<RpcContextConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcTokenAccountBalance>>> {
        let mint = parse_pubkey(&mint, "mint")?;
        self.with(async |chain| {
            let decimals = mint_decimals(chain, &mint).await?;
            let mut holders: Vec<(Pubkey, u64)> =
                token_accounts(chain, |t| t.mint == mint).map(|(key, _, t)| (key, t.amount)).collect();
            holders.sort_by_key(|h| std::cmp::Reverse(h.1));
            let largest = holders
                .into_iter()
                .take(20)
                .map(|(key, amount)| RpcTokenAccountBalance {
                    address: key.to_string(),
                    amount: ui_token_amount(amount, decimals),
                })
                .collect();
            Ok(response(chain.slot(), largest))
        })
    }

    fn get_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>> {
        self.token_accounts_by(Holder::Owner, &owner, filter, config, None)
    }

    fn get_token_accounts_by_delegate(
        &self,
        delegate: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>> {
        self.token_accounts_by(Holder::Delegate, &delegate, filter, config, None)
    }

    fn get_parsed_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>> {
        self.token_accounts_by(Holder::Owner, &owner, filter, config, Some(DataEncoding::JsonParsed))
    }

    fn get_parsed_token_accounts_by_delegate(
        &self,
        delegate: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcKeyedAccount>>> {
        self.token_accounts_by(Holder::Delegate, &delegate, filter, config, Some(DataEncoding::JsonParsed))
    }
}
