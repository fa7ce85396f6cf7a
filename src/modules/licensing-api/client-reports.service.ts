import { Injectable } from '@nestjs/common';
import { Payload } from '../../common/envelope';
import { DatabaseLogService } from '../log/database-log.service';
import { ReportsService } from '../reports/reports.service';
import { ClientLicensesService, clientContext, text } from './client-licenses.service';
import { ReportRequest, ReportResponse } from './licensing-api.dto';

/**
 * Reports a shipped application sends (exceptions, license usage), accepted for any existing user
 * key: a revoked or expired license may still report what went wrong. Stored by ReportsService, so
 * they appear in GET /v1/reports.
 */
@Injectable()
export class ClientReportsService {
  constructor(
    private readonly licenses: ClientLicensesService,
    private readonly reports: ReportsService,
    private readonly log: DatabaseLogService,
  ) {}

  async submit(input: ReportRequest, address: string | null): Promise<Payload<ReportResponse>> {
    const client = clientContext(input, address);
    const license = await this.licenses.findByUserKey(input.userKey);
    const stored = await this.reports.submit({
      name: input.name.trim(),
      version: text(input.version),
      contentType: text(input.contentType),
      content: input.content ?? null,
      properties: input.properties?.map((property) => ({ name: property.name, value: property.value ?? null })) ?? null,
      userKey: input.userKey.trim(),
      machineId: client.machineId,
      clientId: client.clientId,
      clientName: client.clientName,
      address: client.address,
    });
    this.log.information('Licensing: {ReportName} report {ReportId} received for license {LicenseId}', {
      ReportName: input.name.trim(),
      ReportId: stored.reportId,
      LicenseId: license.licenseId,
      ClientId: client.clientId,
      ClientAddress: client.address,
    });
    return { reportId: stored.reportId, uid: stored.uid };
  }
}
