import { KmsReportError } from '../errors.js';

/** A pricing table file is malformed. Names the file and the field (`regions.us-east-1.keyMonth`). */
export class PricingTableError extends KmsReportError {
  override readonly name = 'PricingTableError';
  /** Bad input (exit 2), as for an `InputError`: the file given is not a pricing table. */
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`pricing table ${file}: ${field ? `${field}: ` : ''}${message}`, options);
  }
}

/** The month cannot be priced with the tables given (no table in force, or a region not in the table). */
export class PricingError extends KmsReportError {
  override readonly name: string = 'PricingError';
}

/** The table in force has no prices for a region the inventory or usage names. */
export class RegionNotPricedError extends PricingError {
  override readonly name = 'RegionNotPricedError';
  constructor(
    readonly region: string,
    readonly tableVersion: string,
  ) {
    super(
      `region ${region} is not in pricing table ${tableVersion}; add it (kms-report pricing refresh --regions ${region}) rather than guess its prices`,
    );
  }
}

/** The AWS Price List could not be read or did not contain what a table needs. SDK errors are kept in `cause`. */
export class PriceListError extends KmsReportError {
  override readonly name = 'PriceListError';
  constructor(
    readonly region: string | null,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`AWS Price List${region ? ` (${region})` : ''}: ${message}`, options);
  }
}
