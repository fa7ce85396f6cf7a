import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookOutbox } from '../../common/webhooks';
import { CustomersModule } from '../customers/customers.module';
import { LicenseTemplatesModule } from '../license-templates/license-templates.module';
import { LicensesModule } from '../licenses/licenses.module';
import { ProductsModule } from '../products/products.module';
import { ResourcesModule } from '../resources/resources.module';
import { UsersModule } from '../users/users.module';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookEventData } from './webhook-event-data';
import { WebhookQueue } from './webhook-queue.service';
import { WebhookRelayService } from './webhook-relay.service';
import { WebhookRetentionService } from './webhook-retention.service';
import { WebhookEntity } from './webhook.entity';
import { WebhookOutboxEntity } from './webhook-outbox.entity';
import { LicenseExpiryNoticeEntity } from './license-expiry-notice.entity';
import { LicenseExpiryService } from './license-expiry.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Global for WebhookOutbox: the modules that raise events of their own (the licensing API) record them through it. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity, WebhookOutboxEntity, LicenseExpiryNoticeEntity]),
    LicensesModule,
    CustomersModule,
    ProductsModule,
    UsersModule,
    ResourcesModule,
    LicenseTemplatesModule,
  ],
  controllers: [WebhooksController],
  providers: [
    WebhookOutbox,
    WebhooksRepository,
    WebhooksService,
    WebhookQueue,
    WebhookRelayService,
    WebhookDeliveryService,
    WebhookEventData,
    LicenseExpiryService,
    WebhookRetentionService,
  ],
  exports: [WebhookOutbox],
})
export class WebhooksModule {}
