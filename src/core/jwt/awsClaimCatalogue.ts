// Part of the claims catalogue (claimCatalogue.ts): the claims of AWS web identity tokens.

/**
 * AWS STS GetWebIdentityToken (IAM outbound identity federation), from the IAM user guide,
 * "Understanding token claims" (id_roles_providers_outbound_token_claims): the standard claims,
 * then STS's own under `https://sts.amazonaws.com/`, each with the IAM condition key it mirrors.
 */
const AWS_STS = 'https://sts.amazonaws.com/';
export const AWS_CLAIMS: readonly (readonly [name: string, label: string, description: string])[] =
  [
    [
      'iss',
      'Issuer',
      "The AWS account's own issuer, https://<id>.tokens.sts.global.api.aws (aws iam get-outbound-web-identity-federation-info).",
    ],
    [
      'sub',
      'Subject',
      'ARN of the IAM principal that requested the token (for a session: its role).',
    ],
    ['aud', 'Audience', 'The Audience list of the GetWebIdentityToken request (1 to 10).'],
    ['jti', 'JWT ID', 'Unique id of this AWS token.'],
    [AWS_STS, 'AWS claims', "STS's claims about the caller: account, organization, tags, compute."],
    [`${AWS_STS}.aws_account`, 'AWS account', 'The AWS account id (aws:PrincipalAccount).'],
    [
      `${AWS_STS}.source_region`,
      'Source region',
      'Region whose STS issued it (aws:RequestedRegion).',
    ],
    [`${AWS_STS}.org_id`, 'Organization', 'AWS Organizations id, o-… (aws:PrincipalOrgID).'],
    [
      `${AWS_STS}.ou_path`,
      'OU path',
      'Organizational unit path of the account (aws:PrincipalOrgPaths).',
    ],
    [
      `${AWS_STS}.principal_id`,
      'Principal',
      'ARN of the principal that requested the token; for a role session, the role.',
    ],
    [
      `${AWS_STS}.principal_tags`,
      'Principal tags',
      "Tags of the role or user; a session's tags win (aws:PrincipalTag/KEY).",
    ],
    [`${AWS_STS}.request_tags`, 'Request tags', 'Tags passed to GetWebIdentityToken (up to 50).'],
    [
      `${AWS_STS}.original_session_exp`,
      'Session expiry',
      'When the role session that asked for the token expires.',
    ],
    [
      `${AWS_STS}.federated_provider`,
      'Federated provider',
      'Identity provider of a federated session (aws:FederatedProvider).',
    ],
    [
      `${AWS_STS}.identity_store_user_id`,
      'Identity Center user',
      'IAM Identity Center user id (identitystore:UserId).',
    ],
    [
      `${AWS_STS}.identity_store_arn`,
      'Identity store',
      'ARN of the Identity Center identity store (identitystore:IdentityStoreArn).',
    ],
    [
      `${AWS_STS}.ec2_source_instance_arn`,
      'EC2 instance',
      'ARN of the EC2 instance whose role asked (ec2:SourceInstanceArn).',
    ],
    [
      `${AWS_STS}.ec2_instance_source_vpc`,
      'EC2 VPC',
      "VPC where the instance's role credentials were delivered (aws:Ec2InstanceSourceVpc).",
    ],
    [
      `${AWS_STS}.ec2_instance_source_private_ipv4`,
      'EC2 private IP',
      'Private IPv4 of the instance (aws:Ec2InstanceSourcePrivateIPv4).',
    ],
    [
      `${AWS_STS}.ec2_role_delivery`,
      'IMDS version',
      'Metadata service version that delivered the role credentials (ec2:RoleDelivery).',
    ],
    [
      `${AWS_STS}.source_identity`,
      'Source identity',
      'Source identity set on the role session (aws:SourceIdentity).',
    ],
    [
      `${AWS_STS}.lambda_source_function_arn`,
      'Lambda function',
      'ARN of the calling Lambda function (lambda:SourceFunctionArn).',
    ],
    [
      `${AWS_STS}.glue_credential_issuing_service`,
      'Glue',
      'AWS Glue service identifier for Glue jobs (glue:CredentialIssuingService).',
    ],
  ];
