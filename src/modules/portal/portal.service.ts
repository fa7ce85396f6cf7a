import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, parseFilter } from '../../common/query';
import { LicensesService } from '../licenses/licenses.service';
import { ActivationService } from '../licensing-api/activation.service';
import { SettingsService } from '../settings/settings.service';
import { LicensingMode } from '../signing';
import {
  DeactivatePortalMachineResponse,
  GetPortalCustomerResponse,
  GetPortalLicensesResponse,
  GetPortalLicenseTokensResponse,
  PortalLicenseDto,
} from './portal.dto';
import { PortalLicenseRow, PortalRepository } from './portal.repository';

const WINDOW_MS = 30 * 24 * 3600 * 1000;

/**
 * The customer portal. Every answer is scoped to the customer of the caller's own user row, read on each call:
 * no path or query parameter names a customer, and a license of another customer answers exactly like one that
 * does not exist.
 */
@Injectable()
export class PortalService {
  constructor(
    private readonly portal: PortalRepository,
    private readonly managementLicenses: LicensesService,
    private readonly activation: ActivationService,
    private readonly settings: SettingsService,
    private readonly dataSource: DataSource,
  ) {}

  async customer(principal: Principal): Promise<Payload<GetPortalCustomerResponse>> {
    const customerId = await this.customerOf(principal);
    const customer = await this.portal.findCustomer(customerId);
    if (!customer) throw this.noCustomer(principal);
    return { customer, deactivationsPer30Days: await this.allowance() };
  }

  async licenses(options: QueryOptions, principal: Principal): Promise<Payload<GetPortalLicensesResponse>> {
    // A filter that does not parse is the caller's mistake whoever calls: 400 before the customer is looked up.
    if (options.filter) parseFilter(options.filter);
    const customerId = await this.customerOf(principal);
    // select, include and cursors are the Management API's shapes: the portal answers its own pages, counted.
    const page = await this.managementLicenses.list(
      { ...options, select: undefined, include: undefined, cursor: undefined, withTotal: true },
      principal,
      // A node-locked copy is the customer's activation, listed under its license, not a license of its own.
      { customerId, originalsOnly: true },
    );
    const ids = page.licenses.map((license) => license.id!);
    const [live, used, allowance] = await Promise.all([
      this.portal.countLiveTokens(ids),
      this.portal.countDeactivationsSince(ids, new Date(Date.now() - WINDOW_MS)),
      this.allowance(),
    ]);
    const licenses: PortalLicenseDto[] = page.licenses.map((license) => ({
      id: license.id!,
      licenseId: license.licenseId!,
      userKey: license.userKey!,
      productName: license.product?.name ?? null,
      productVersion: license.product?.version ?? null,
      licenseType: license.licenseType ?? null,
      licensingMode: license.licensingMode ?? LicensingMode.File,
      maxAllowedSites: license.maxAllowedSites ?? null,
      activeTokens: live.get(license.id!) ?? 0,
      issueDate: license.issueDate ?? null,
      expireDate: license.expireDate ?? null,
      supportExpireDate: license.supportExpireDate ?? null,
      revoked: license.revoked ?? false,
      deactivationsLeft:
        license.licensingMode === LicensingMode.Activation ? Math.max(0, allowance - (used.get(license.id!) ?? 0)) : 0,
    }));
    return { licenses, totalLicensesCount: page.totalLicensesCount ?? licenses.length };
  }

  async tokens(licenseId: number, principal: Principal): Promise<Payload<GetPortalLicenseTokensResponse>> {
    const license = await this.ownLicense(licenseId, principal);
    const [licenseTokens, left] = await Promise.all([
      this.portal.liveTokens(license.id),
      this.deactivationsLeft(license),
    ]);
    return { licenseTokens, maxAllowedSites: license.maxAllowedSites, deactivationsLeft: left };
  }

  /**
   * Frees one activation of the caller's license, as the client API's deactivate does (trace, audit event,
   * node-locked copy deleted), at most Licensing.PortalDeactivationsPer30Days times per license in any 30 days.
   * The count and the new row are taken under a per-license advisory lock held until the deactivation is done, so
   * concurrent requests cannot both take the last one; a deactivation that is refused leaves no row.
   */
  async deactivate(
    licenseId: number,
    tokenId: number,
    principal: Principal,
    address: string | null,
  ): Promise<Payload<DeactivatePortalMachineResponse>> {
    const license = await this.ownLicense(licenseId, principal);
    if (license.licensingMode !== LicensingMode.Activation)
      throw ApiException.badRequest(
        `License ${license.licenseId} is not an activation license; floating seats free themselves when the application stops sending heartbeats`,
        ErrorCode.WrongLicensingMode,
      );
    const token = await this.portal.findLiveToken({ licenseId: license.id, tokenId });
    if (!token)
      throw ApiException.notFound(`License ${license.licenseId} has no activation ${tokenId}`, ErrorCode.TokenNotFound);
    const allowance = await this.allowance();
    return this.dataSource.transaction(async (manager) => {
      await this.portal.lockDeactivations(manager, license.id);
      const since = new Date(Date.now() - WINDOW_MS);
      const used = (await this.portal.countDeactivationsSince([license.id], since, manager)).get(license.id) ?? 0;
      if (used >= allowance) {
        const oldest = await this.portal.oldestDeactivationSince(manager, license.id, since);
        const next = oldest ? ` from ${new Date(oldest.getTime() + WINDOW_MS).toISOString()}` : ' only from the vendor';
        throw new ApiException(
          ErrorCode.DeactivationLimitReached,
          `License ${license.licenseId} had ${used} of ${allowance} machine deactivations in the last 30 days; the next one is possible${next}`,
          HttpStatus.FORBIDDEN,
        );
      }
      const counts = await this.activation.deactivate(
        { userKey: license.userKey, licenseToken: token.token, clientName: `portal:${principal.userName}` },
        address,
      );
      // After the deactivation's own transaction: this row's foreign key takes a share lock on the license row,
      // which the deactivation locks for update, on another connection.
      await this.portal.insertDeactivation(manager, {
        licenseId: license.id,
        userId: principal.userId,
        machineId: token.machineId,
      });
      return { ...counts, deactivationsLeft: allowance - used - 1 };
    });
  }

  private async ownLicense(licenseId: number, principal: Principal): Promise<PortalLicenseRow> {
    const customerId = await this.customerOf(principal);
    const license = await this.portal.findLicenseOfCustomer({ licenseId, customerId });
    if (!license)
      throw ApiException.notFound(`Your customer has no license ${licenseId}`, ErrorCode.CustomerLicenseNotFound);
    return license;
  }

  private async deactivationsLeft(license: PortalLicenseRow): Promise<number> {
    if (license.licensingMode !== LicensingMode.Activation) return 0;
    const since = new Date(Date.now() - WINDOW_MS);
    const [used, allowance] = await Promise.all([
      this.portal.countDeactivationsSince([license.id], since),
      this.allowance(),
    ]);
    return Math.max(0, allowance - (used.get(license.id) ?? 0));
  }

  private allowance(): Promise<number> {
    return this.settings.get<number>('Licensing.PortalDeactivationsPer30Days');
  }

  private async customerOf(principal: Principal): Promise<number> {
    const customerId = await this.portal.customerIdOfUser(principal.userId);
    if (customerId === null || customerId === undefined) throw this.noCustomer(principal);
    return customerId;
  }

  private noCustomer(principal: Principal): ApiException {
    return new ApiException(
      ErrorCode.NoCustomerAccount,
      `User "${principal.userName}" belongs to no customer; an administrator sets its customerId to open the portal`,
      HttpStatus.FORBIDDEN,
    );
  }
}
