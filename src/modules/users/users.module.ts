import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/customers.module';
import { RolesModule } from '../roles/roles.module';
import { UserRolesController } from './user-roles.controller';
import { UserRolesService } from './user-roles.service';
import { UserSettingEntity } from './user-setting.entity';
import { UserSettingsController } from './user-settings.controller';
import { UserSettingsService } from './user-settings.service';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, UserSettingEntity]), RolesModule, CustomersModule],
  controllers: [UsersController, UserSettingsController, UserRolesController],
  providers: [UsersRepository, UsersService, UserSettingsService, UserRolesService],
  exports: [UsersService],
})
export class UsersModule {}
