//! Cross-program invocations through `sol_invoke_signed_c`: System account creation and the
//! token instructions the distributor needs (same wire format in SPL Token and Token-2022).
use crate::account::AccountInfo;
use crate::data::Writer;
use crate::errors::{MeritError, ProgramResult};
use crate::syscalls;
use crate::pubkey::{Pubkey, SYSTEM_PROGRAM_ID};

/// `SolAccountMeta` of the C ABI.
#[repr(C)]
pub struct Meta {
    pubkey: *const Pubkey,
    is_writable: bool,
    is_signer: bool,
}

impl Meta {
    #[inline(always)]
    pub fn new(account: &AccountInfo, is_writable: bool, is_signer: bool) -> Self {
        Meta { pubkey: account.key(), is_writable, is_signer }
    }
}

/// `SolAccountInfo` of the C ABI, pointing into the input buffer where the runtime expects it.
#[repr(C)]
pub struct Info {
    key: *const Pubkey,
    lamports: *mut u64,
    data_len: u64,
    data: *mut u8,
    owner: *const Pubkey,
    rent_epoch: u64,
    is_signer: bool,
    is_writable: bool,
    executable: bool,
}

impl Info {
    #[inline(always)]
    pub fn new(account: &AccountInfo) -> Self {
        Info {
            key: account.key(),
            lamports: account.lamports_ptr(),
            data_len: account.data_len() as u64,
            data: account.data_ptr(),
            owner: account.owner(),
            rent_epoch: 0,
            is_signer: account.is_signer(),
            is_writable: account.is_writable(),
            executable: false,
        }
    }
}

/// `SolInstruction` of the C ABI.
#[repr(C)]
struct Instruction {
    program_id: *const Pubkey,
    accounts: *const Meta,
    accounts_len: u64,
    data: *const u8,
    data_len: u64,
}

/// One invocation; a struct keeps the call within the BPF backend's five-argument limit.
pub struct Cpi<'a> {
    pub program: &'a Pubkey,
    pub metas: &'a [Meta],
    pub data: &'a [u8],
    pub infos: &'a [Info],
    /// Seeds (bump included) of each PDA that signs.
    pub signers: &'a [&'a [&'a [u8]]],
}

impl Cpi<'_> {
    #[inline(always)]
    pub fn invoke(&self) -> ProgramResult {
        let ix = Instruction {
            program_id: self.program,
            accounts: self.metas.as_ptr(),
            accounts_len: self.metas.len() as u64,
            data: self.data.as_ptr(),
            data_len: self.data.len() as u64,
        };
        // SAFETY: every pointer refers to data borrowed for the duration of the call; seeds use
        // the (pointer, length) layout of `SolSignerSeed(s)`.
        unsafe {
            syscalls::invoke_signed(
                &ix as *const Instruction as *const u8,
                self.infos.as_ptr() as *const u8,
                self.infos.len() as u64,
                self.signers.as_ptr() as *const u8,
                self.signers.len() as u64,
            )
        }
    }
}

/// Creates a program-derived account owned by `owner`, rent-exempt for `space` bytes, paid by
/// `payer`. An address that already holds lamports (anyone can send some to a PDA to block
/// `create_account`) is topped up, allocated and assigned instead.
pub struct CreatePda<'a> {
    pub payer: &'a AccountInfo,
    pub account: &'a AccountInfo,
    pub space: u64,
    pub owner: &'a Pubkey,
    pub seeds: &'a [&'a [u8]],
}

impl CreatePda<'_> {
    pub fn invoke(&self) -> ProgramResult {
        if !self.account.is_uninitialized() {
            return Err(MeritError::AlreadyInitialized);
        }
        let required = syscalls::rent_exempt_minimum(self.space)?;
        let signers: [&[&[u8]]; 1] = [self.seeds];
        let infos = [Info::new(self.payer), Info::new(self.account)];
        let current = self.account.lamports();
        if current == 0 {
            let mut data = Writer::<52>::new();
            data.put(&0u32.to_le_bytes()).u64(required).u64(self.space).put(self.owner);
            let metas = [Meta::new(self.payer, true, true), Meta::new(self.account, true, true)];
            return Cpi { program: &SYSTEM_PROGRAM_ID, metas: &metas, data: data.bytes(), infos: &infos, signers: &signers }.invoke();
        }
        if required > current {
            let mut data = Writer::<12>::new();
            data.put(&2u32.to_le_bytes()).u64(required - current);
            let metas = [Meta::new(self.payer, true, true), Meta::new(self.account, true, false)];
            Cpi { program: &SYSTEM_PROGRAM_ID, metas: &metas, data: data.bytes(), infos: &infos, signers: &[] }.invoke()?;
        }
        let metas = [Meta::new(self.account, true, true)];
        let mut allocate = Writer::<12>::new();
        allocate.put(&8u32.to_le_bytes()).u64(self.space);
        Cpi { program: &SYSTEM_PROGRAM_ID, metas: &metas, data: allocate.bytes(), infos: &infos[1..], signers: &signers }.invoke()?;
        let mut assign = Writer::<36>::new();
        assign.put(&1u32.to_le_bytes()).put(self.owner);
        Cpi { program: &SYSTEM_PROGRAM_ID, metas: &metas, data: assign.bytes(), infos: &infos[1..], signers: &signers }.invoke()
    }
}

const TOKEN_IX_INITIALIZE_ACCOUNT3: u8 = 18;
const TOKEN_IX_TRANSFER_CHECKED: u8 = 12;
const TOKEN_IX_GET_ACCOUNT_DATA_SIZE: u8 = 21;

/// Size a token account of `mint` needs (Token-2022 adds the extensions the mint requires).
#[inline(always)]
pub fn token_account_size(token_program: &AccountInfo, mint: &AccountInfo) -> Result<u64, MeritError> {
    let metas = [Meta::new(mint, false, false)];
    let infos = [Info::new(mint)];
    Cpi { program: token_program.key(), metas: &metas, data: &[TOKEN_IX_GET_ACCOUNT_DATA_SIZE], infos: &infos, signers: &[] }.invoke()?;
    syscalls::return_data_u64(token_program.key())
}

/// InitializeAccount3: makes `account` a token account of `mint` owned by `owner`.
pub fn token_initialize_account(token_program: &AccountInfo, account: &AccountInfo, mint: &AccountInfo, owner: &Pubkey) -> ProgramResult {
    let mut data = Writer::<33>::new();
    data.put(&[TOKEN_IX_INITIALIZE_ACCOUNT3]).put(owner);
    let metas = [Meta::new(account, true, false), Meta::new(mint, false, false)];
    let infos = [Info::new(account), Info::new(mint)];
    Cpi { program: token_program.key(), metas: &metas, data: data.bytes(), infos: &infos, signers: &[] }.invoke()
}

/// TransferChecked from a vault the distributor PDA owns.
pub struct TransferChecked<'a> {
    pub token_program: &'a AccountInfo,
    pub from: &'a AccountInfo,
    pub mint: &'a AccountInfo,
    pub to: &'a AccountInfo,
    pub authority: &'a AccountInfo,
    pub amount: u64,
    pub decimals: u8,
    pub authority_seeds: &'a [&'a [u8]],
}

impl TransferChecked<'_> {
    #[inline(always)]
    pub fn invoke(&self) -> ProgramResult {
        let mut data = Writer::<10>::new();
        data.put(&[TOKEN_IX_TRANSFER_CHECKED]).u64(self.amount).put(&[self.decimals]);
        let metas = [
            Meta::new(self.from, true, false),
            Meta::new(self.mint, false, false),
            Meta::new(self.to, true, false),
            Meta::new(self.authority, false, true),
        ];
        let infos = [Info::new(self.from), Info::new(self.mint), Info::new(self.to), Info::new(self.authority)];
        let signers: [&[&[u8]]; 1] = [self.authority_seeds];
        Cpi { program: self.token_program.key(), metas: &metas, data: data.bytes(), infos: &infos, signers: &signers }.invoke()
    }
}
