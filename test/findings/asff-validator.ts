/**
 * Checks a finding against what Security Hub accepts, attribute by attribute: the required members,
 * lengths, enums and list sizes of `AwsSecurityFinding` in the service model (botocore
 * `securityhub/2018-10-26/service-2.json`) and the user guide's ASFF rules (Types namespaces, the
 * default product ARN of a custom integration, timestamps). Returns every problem found, [] when valid.
 */
const REQUIRED = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources'] as const;
const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const COMPLIANCE = ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'];
const RECORD_STATES = ['ACTIVE', 'ARCHIVED'];
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-us-iso', 'aws-us-iso-b'];
const NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];
/** RFC 3339 with optional fractional seconds (Security Hub API reference, "Timestamps"). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

type Json = Record<string, unknown>;

export interface ValidationOptions {
  /** A first import must carry top-level Types and Severity (required attributes page). */
  firstImport?: boolean;
}

export function validateFinding(finding: Json, options: ValidationOptions = {}): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const text = (name: string, value: unknown, max: number, min = 1): void => {
    if (typeof value !== 'string') {
      fail(`${name} must be a string`);
      return;
    }
    if (value.length < min || value.length > max) fail(`${name} length ${value.length} outside ${min}..${max}`);
    if (value.trim().length === 0) fail(`${name} is blank`);
  };

  for (const key of REQUIRED) if (finding[key] === undefined) fail(`missing required ${key}`);
  if (finding['SchemaVersion'] !== '2018-10-08') fail('SchemaVersion must be 2018-10-08');
  text('Id', finding['Id'], 512);
  text('GeneratorId', finding['GeneratorId'], 512);
  text('Title', finding['Title'], 256);
  text('Description', finding['Description'], 1024);
  const account = finding['AwsAccountId'];
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) fail('AwsAccountId must be 12 digits');
  const productArn = String(finding['ProductArn'] ?? '');
  const product = /^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product\/(\d{12})\/default$/.exec(productArn);
  if (!product) fail(`ProductArn ${productArn} is not a default product ARN`);
  else if (product[3] !== account || product[4] !== account) fail('ProductArn must name the finding\'s own account (custom integration)');
  for (const key of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) {
    const value = finding[key];
    if (value !== undefined && (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value)))) fail(`${key} is not an RFC 3339 timestamp`);
  }
  if (typeof finding['CreatedAt'] === 'string' && typeof finding['UpdatedAt'] === 'string' && Date.parse(finding['UpdatedAt']) < Date.parse(finding['CreatedAt'])) {
    fail('UpdatedAt before CreatedAt');
  }
  if (typeof finding['FirstObservedAt'] === 'string' && typeof finding['LastObservedAt'] === 'string' && Date.parse(finding['LastObservedAt']) < Date.parse(finding['FirstObservedAt'])) {
    fail('LastObservedAt before FirstObservedAt');
  }

  const providerFields = finding['FindingProviderFields'] as Json | undefined;
  const severities = [finding['Severity'], providerFields?.['Severity']].filter((value) => value !== undefined) as Json[];
  const typeLists = [finding['Types'], providerFields?.['Types']].filter((value) => value !== undefined);
  if (severities.length === 0) fail('no Severity (top level or FindingProviderFields)');
  if (typeLists.length === 0) fail('no Types (top level or FindingProviderFields)');
  if (options.firstImport && (finding['Severity'] === undefined || finding['Types'] === undefined)) fail('a first import carries top-level Severity and Types');
  for (const severity of severities) {
    if (!SEVERITY_LABELS.includes(String(severity['Label']))) fail(`Severity.Label ${String(severity['Label'])} not in ${SEVERITY_LABELS.join('|')}`);
    if (severity['Original'] !== undefined) text('Severity.Original', severity['Original'], 64);
  }
  for (const types of typeLists) {
    if (!Array.isArray(types) || types.length === 0 || types.length > 50) {
      fail('Types must hold 1..50 entries');
      continue;
    }
    for (const type of types) {
      const parts = String(type).split('/');
      if (parts.length > 3 || !NAMESPACES.includes(parts[0] ?? '') || parts.some((part) => part.length === 0)) fail(`Type ${String(type)} is not namespace[/category[/classifier]]`);
    }
  }

  const resources = finding['Resources'];
  if (!Array.isArray(resources) || resources.length < 1 || resources.length > 32) fail('Resources must hold 1..32 entries');
  else
    for (const resource of resources as Json[]) {
      text('Resource.Type', resource['Type'], 256);
      text('Resource.Id', resource['Id'], 2048);
      if (resource['Partition'] !== undefined && !PARTITIONS.includes(String(resource['Partition']))) fail('Resource.Partition not in the enum');
      if (resource['Region'] !== undefined) text('Resource.Region', resource['Region'], 16);
      if (resource['Type'] === 'AwsEc2Instance' && !/^arn:[a-z-]+:ec2:[a-z0-9-]+:\d{12}:instance\/i-[0-9a-f]+$/.test(String(resource['Id']))) {
        fail('AwsEc2Instance resource Id must be the instance ARN');
      }
    }

  const fields = finding['ProductFields'];
  if (fields !== undefined) {
    const entries = Object.entries(fields as Json);
    if (entries.length > 50) fail('ProductFields holds more than 50 pairs');
    for (const [key, value] of entries) {
      if (key.length < 1 || key.length > 128) fail(`ProductFields key ${key} length`);
      if (typeof value !== 'string' || value.length < 1 || value.length > 2048) fail(`ProductFields ${key} must be a non-empty string of at most 2048 characters`);
    }
  }
  const compliance = finding['Compliance'] as Json | undefined;
  if (compliance && !COMPLIANCE.includes(String(compliance['Status']))) fail('Compliance.Status not in the enum');
  if (finding['RecordState'] !== undefined && !RECORD_STATES.includes(String(finding['RecordState']))) fail('RecordState not in the enum');
  const recommendation = (finding['Remediation'] as Json | undefined)?.['Recommendation'] as Json | undefined;
  if (recommendation) {
    text('Recommendation.Text', recommendation['Text'], 512);
    if (!/^https:\/\//.test(String(recommendation['Url']))) fail('Recommendation.Url must be an https URL');
  }
  for (const key of ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow']) {
    // BatchImportFindings cannot set them after creation; the autopilot never sends them.
    if (finding[key] !== undefined) fail(`${key} is the customer's, not the provider's`);
  }
  const vulnerabilities = finding['Vulnerabilities'];
  if (vulnerabilities !== undefined) for (const entry of vulnerabilities as Json[]) text('Vulnerability.Id', entry['Id'], 2048);
  if (Buffer.byteLength(JSON.stringify(finding)) > 240 * 1024) fail('finding larger than 240 KB');
  return problems;
}
