import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactEntity } from './contact.entity';
import { ContactsController } from './contacts.controller';
import { ContactsService } from './contacts.service';
import { CustomerEntity } from './customer.entity';
import { CustomersController } from './customers.controller';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';

/** Customers and the contacts they own (one aggregate). */
@Module({
  imports: [TypeOrmModule.forFeature([CustomerEntity, ContactEntity])],
  controllers: [CustomersController, ContactsController],
  providers: [CustomersRepository, CustomersService, ContactsService],
  exports: [CustomersService],
})
export class CustomersModule {}
