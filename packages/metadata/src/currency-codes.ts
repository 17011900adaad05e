import type { JsonSchema } from './json-schema.js';

/**
 * The active ISO 4217 alphabetic codes (list one: currencies, funds and precious metals) as of
 * 2026. Withdrawn codes (HRK, CUC, SLL, ZWL, ANG, BGN, …) are left out: a record currency says
 * what money is owed now. Update this list when the maintenance agency amends the standard.
 */
export const CURRENCY_CODES: readonly string[] = `
  AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
  CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
  GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
  KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
  MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
  SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
  USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF
  XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
`
  .trim()
  .split(/\s+/);

const CODES = new Set(CURRENCY_CODES);

/** True for an active ISO 4217 code such as "CNY"; false for "XXQ" or "usd". */
export function isCurrencyCode(code: unknown): boolean {
  return typeof code === 'string' && CODES.has(code);
}

/** JSON Schema of a record currency: one of the active codes. */
export const CURRENCY_CODE_SCHEMA: JsonSchema = { type: 'string', enum: [...CURRENCY_CODES] };
