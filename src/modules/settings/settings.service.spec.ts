import { AppConfig, ConfigurationError } from '../../config';
import { AppSettingEntity } from './app-setting.entity';
import { SettingsRepository } from './settings.repository';
import { SettingsService } from './settings.service';

function serviceWith(
  settingDefaults: Record<string, string>,
  stored: Partial<AppSettingEntity>[] = [],
): SettingsService {
  const repository = {
    findAll: async () => stored,
    latestMigrationName: async () => 'Identity1764300000000',
  } as unknown as SettingsRepository;
  const service = new SettingsService(repository, { settingDefaults } as AppConfig);
  service.onModuleInit();
  return service;
}

describe('SettingsService defaults from SETTINGS__<GROUP>__<NAME>', () => {
  it('uses a variable as the default, typed, when nothing is stored', async () => {
    const service = serviceWith({
      SETTINGS__EMAIL__SMTPHOST: 'mailpit',
      SETTINGS__EMAIL__SMTPPORT: '1025',
      SETTINGS__EMAIL__ENABLED: 'true',
    });
    expect(await service.get('Email.SmtpHost')).toBe('mailpit');
    expect(await service.get('Email.SmtpPort')).toBe(1025);
    expect(await service.get('Email.Enabled')).toBe(true);
    expect(await service.get('Email.FromAddress')).toBe('licensing@localhost');
  });

  it('lets a stored value win over the variable', async () => {
    const service = serviceWith({ SETTINGS__EMAIL__SMTPPORT: '1025' }, [
      { group: 'Email', name: 'SmtpPort', value: 2525 },
    ]);
    expect(await service.get('Email.SmtpPort')).toBe(2525);
  });

  it.each([
    [{ SETTINGS__EMAIL__SMTPPORT: 'ninety' }, /SETTINGS__EMAIL__SMTPPORT must be a whole number/],
    [{ SETTINGS__EMAIL__SMTPPORT: '70000' }, /between 1 and 65535/],
    [{ SETTINGS__EMAIL__NOPE: 'x' }, /SETTINGS__EMAIL__NOPE names no writable setting/],
    [{ SETTINGS__APPLICATION__DATABASEVERSION: 'x' }, /names no writable setting/],
  ])('refuses %j at start, naming the variable', (defaults, message) => {
    expect(() => serviceWith(defaults)).toThrow(ConfigurationError);
    expect(() => serviceWith(defaults)).toThrow(message);
  });

  it('never answers the SMTP password, even when a variable sets it', async () => {
    const service = serviceWith({ SETTINGS__EMAIL__SMTPPASSWORD: 'hunter22' });
    const { settings } = await service.list('Email');
    const password = settings.find((setting) => setting.name === 'SmtpPassword');
    expect(password).toMatchObject({ value: null, isSet: true });
    expect(JSON.stringify(settings)).not.toContain('hunter22');
  });
});
