import '../drill/polyfill';

// Nothing in the tests may reach AWS: SDK clients are mocked, and these dummy values make sure no
// real credentials or profile on the machine are ever picked up.
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
delete process.env.AWS_PROFILE;
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
