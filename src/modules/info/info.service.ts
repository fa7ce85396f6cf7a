import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { packageVersion } from '../../config';
import { SettingsService } from '../settings/settings.service';
import { Payload } from '../../common/envelope';
import { GetDashboardResponse, GetServerInfoResponse } from './info.dto';
import { InfoRepository } from './info.repository';

/** As in package.json. */
const SERVER_LICENSE = 'MIT';
const OPEN_SOURCE_EDITION = 0;
/** Expiring licenses the dashboard lists (it counts them all). */
const EXPIRING_SHOWN = 10;

@Injectable()
export class InfoService {
  constructor(
    private readonly counts: InfoRepository,
    private readonly settings: SettingsService,
  ) {}

  /** Counts come from the database on every call (InfoRepository). */
  async get(clientAddress: string): Promise<Payload<GetServerInfoResponse>> {
    const [licenses, tokens, product] = await Promise.all([
      this.counts.countLicenses(),
      this.counts.countTokens(),
      this.settings.get<string>('Application.ProductName'),
    ]);
    return {
      product,
      edition: OPEN_SOURCE_EDITION,
      version: packageVersion,
      license: SERVER_LICENSE,
      serverHost: hostname(),
      serverTime: new Date().toISOString(),
      clientAddress,
      ...tokens,
      ...licenses,
    };
  }

  /** The console's dashboard: a handful of grouped counts, each one statement. */
  async dashboard(): Promise<Payload<GetDashboardResponse>> {
    const [licensesByMode, tokens, licenses, activationsPerDay, expiringLicensesCount, expiringLicenses] =
      await Promise.all([
        this.counts.countLicensesByMode(),
        this.counts.countTokens(),
        this.counts.countLicenses(),
        this.counts.activationsPerDay(),
        this.counts.countExpiring(),
        this.counts.expiringLicenses(EXPIRING_SHOWN),
      ]);
    return {
      licensesByMode,
      activationsInUse: tokens.activationTokens,
      seatsInUse: tokens.floatingTokens,
      seatsAvailable: licenses.maxTokens,
      activationsPerDay,
      expiringLicensesCount,
      expiringLicenses,
    };
  }
}
