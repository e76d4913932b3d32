/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment CreditSummary_credits on MyCredits {\n    balance\n    cumulativeDonation\n    tier {\n      id\n      name\n      level\n      threshold\n    }\n    nextTier {\n      id\n      name\n      threshold\n    }\n    toNextTier\n  }\n": typeof types.CreditSummary_CreditsFragmentDoc,
    "\n  fragment DonationCell_donation on Donation {\n    id\n    receiptNo\n    kind\n    amount\n    goodsDescription\n    goodsQuantity\n    donatedAt\n    status\n    creditsAwarded\n    voidReason\n    donorName\n    org {\n      id\n      name\n    }\n    project {\n      id\n      name\n    }\n  }\n": typeof types.DonationCell_DonationFragmentDoc,
    "\n  fragment LedgerEntryCell_entry on CreditEntry {\n    id\n    kind\n    amount\n    balanceAfter\n    note\n    createdAt\n    certificationId\n    donation {\n      id\n      receiptNo\n      project {\n        id\n        name\n      }\n    }\n    redemption {\n      id\n      reward {\n        id\n        name\n      }\n    }\n  }\n": typeof types.LedgerEntryCell_EntryFragmentDoc,
    "\n  fragment RedemptionCell_redemption on Redemption {\n    id\n    quantity\n    creditsSpent\n    pickupCode\n    status\n    createdAt\n    fulfilledAt\n    cancelledAt\n    reward {\n      id\n      name\n      org {\n        id\n        name\n      }\n    }\n  }\n": typeof types.RedemptionCell_RedemptionFragmentDoc,
    "\n  fragment RewardCard_reward on Reward {\n    id\n    name\n    description\n    creditPrice\n    stock\n    perPersonLimit\n    validUntil\n    org {\n      id\n      name\n    }\n  }\n": typeof types.RewardCard_RewardFragmentDoc,
    "\n  fragment TierPerks_credits on MyCredits {\n    perks {\n      category\n      description\n    }\n    tierExplanation\n  }\n": typeof types.TierPerks_CreditsFragmentDoc,
    "\n  fragment SessionPayload on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    account {\n      id\n      displayName\n      role\n      org {\n        id\n        name\n      }\n      partner {\n        id\n        name\n      }\n    }\n  }\n": typeof types.SessionPayloadFragmentDoc,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionPayload\n    }\n  }\n": typeof types.RefreshTokenDocument,
    "\n  query MyDonations($first: Int, $after: String) {\n    myCredits {\n      donations(first: $first, after: $after) {\n        nodes {\n          id\n          ...DonationCell_donation\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MyDonationsDocument,
    "\n  query Home {\n    me {\n      account {\n        id\n        displayName\n      }\n    }\n    myCredits {\n      ...CreditSummary_credits\n      ...TierPerks_credits\n    }\n  }\n": typeof types.HomeDocument,
    "\n  query Ledger($first: Int, $after: String) {\n    myCredits {\n      balance\n      ledger(first: $first, after: $after) {\n        nodes {\n          id\n          ...LedgerEntryCell_entry\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.LedgerDocument,
    "\n  mutation Login($phone: String!, $password: String!) {\n    login(phone: $phone, password: $password) {\n      ...SessionPayload\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query Profile {\n    me {\n      account {\n        id\n        displayName\n        phone\n        role\n        org {\n          id\n          name\n        }\n        partner {\n          id\n          name\n        }\n      }\n      resident {\n        id\n        idNumberMasked\n        town {\n          id\n          name\n        }\n      }\n      enterprise {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  query Receipt($id: ID!) {\n    donation(id: $id) {\n      id\n      receiptNo\n      verificationCode\n      receiptHtml\n    }\n  }\n": typeof types.ReceiptDocument,
    "\n  query MyRedemptions($first: Int, $after: String) {\n    myCredits {\n      redemptions(first: $first, after: $after) {\n        nodes {\n          id\n          ...RedemptionCell_redemption\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MyRedemptionsDocument,
    "\n  mutation CancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) {\n      id\n      status\n      cancelledAt\n      reward {\n        id\n        stock\n      }\n    }\n  }\n": typeof types.CancelRedemptionDocument,
    "\n  query Rewards($first: Int, $after: String) {\n    myCredits {\n      balance\n    }\n    rewards(first: $first, after: $after) {\n      nodes {\n        id\n        ...RewardCard_reward\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RewardsDocument,
    "\n  mutation RedeemReward($rewardId: ID!, $quantity: Int!, $idempotencyKey: String!) {\n    redeemReward(rewardId: $rewardId, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n      replayed\n      redemption {\n        id\n        pickupCode\n        quantity\n        creditsSpent\n        status\n        reward {\n          id\n          stock\n          name\n          org {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.RedeemRewardDocument,
    "\n  query StaffProjects($orgId: ID, $first: Int, $after: String) {\n    charityProjects(orgId: $orgId, first: $first, after: $after) {\n      nodes {\n        id\n        name\n        status\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StaffProjectsDocument,
    "\n  mutation RecordDonation($input: RecordDonationInput!) {\n    recordDonation(input: $input) {\n      replayed\n      donation {\n        id\n        donorName\n        amount\n        creditsAwarded\n        receiptNo\n        ...DonationCell_donation\n      }\n    }\n  }\n": typeof types.RecordDonationDocument,
    "\n  mutation FulfilRedemption($pickupCode: String!) {\n    fulfilRedemption(pickupCode: $pickupCode) {\n      id\n      status\n      quantity\n      fulfilledAt\n      pickupCode\n      reward {\n        id\n        name\n      }\n    }\n  }\n": typeof types.FulfilRedemptionDocument,
    "\n  query TodayDonations($orgId: ID, $from: DateTime, $first: Int, $after: String) {\n    donations(orgId: $orgId, from: $from, first: $first, after: $after) {\n      nodes {\n        id\n        ...DonationCell_donation\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.TodayDonationsDocument,
    "\n  mutation VoidDonation($id: ID!, $reason: String!, $idempotencyKey: String!) {\n    voidDonation(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {\n      replayed\n      donation {\n        id\n        status\n        voidReason\n        voidedAt\n      }\n    }\n  }\n": typeof types.VoidDonationDocument,
    "\n  query YearlyStatement($year: Int!) {\n    myCredits {\n      yearlyStatement(year: $year) {\n        year\n        donationCount\n        total\n        credits\n        verificationCode\n        issuedAt\n        html\n      }\n    }\n  }\n": typeof types.YearlyStatementDocument,
};
const documents: Documents = {
    "\n  fragment CreditSummary_credits on MyCredits {\n    balance\n    cumulativeDonation\n    tier {\n      id\n      name\n      level\n      threshold\n    }\n    nextTier {\n      id\n      name\n      threshold\n    }\n    toNextTier\n  }\n": types.CreditSummary_CreditsFragmentDoc,
    "\n  fragment DonationCell_donation on Donation {\n    id\n    receiptNo\n    kind\n    amount\n    goodsDescription\n    goodsQuantity\n    donatedAt\n    status\n    creditsAwarded\n    voidReason\n    donorName\n    org {\n      id\n      name\n    }\n    project {\n      id\n      name\n    }\n  }\n": types.DonationCell_DonationFragmentDoc,
    "\n  fragment LedgerEntryCell_entry on CreditEntry {\n    id\n    kind\n    amount\n    balanceAfter\n    note\n    createdAt\n    certificationId\n    donation {\n      id\n      receiptNo\n      project {\n        id\n        name\n      }\n    }\n    redemption {\n      id\n      reward {\n        id\n        name\n      }\n    }\n  }\n": types.LedgerEntryCell_EntryFragmentDoc,
    "\n  fragment RedemptionCell_redemption on Redemption {\n    id\n    quantity\n    creditsSpent\n    pickupCode\n    status\n    createdAt\n    fulfilledAt\n    cancelledAt\n    reward {\n      id\n      name\n      org {\n        id\n        name\n      }\n    }\n  }\n": types.RedemptionCell_RedemptionFragmentDoc,
    "\n  fragment RewardCard_reward on Reward {\n    id\n    name\n    description\n    creditPrice\n    stock\n    perPersonLimit\n    validUntil\n    org {\n      id\n      name\n    }\n  }\n": types.RewardCard_RewardFragmentDoc,
    "\n  fragment TierPerks_credits on MyCredits {\n    perks {\n      category\n      description\n    }\n    tierExplanation\n  }\n": types.TierPerks_CreditsFragmentDoc,
    "\n  fragment SessionPayload on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    account {\n      id\n      displayName\n      role\n      org {\n        id\n        name\n      }\n      partner {\n        id\n        name\n      }\n    }\n  }\n": types.SessionPayloadFragmentDoc,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionPayload\n    }\n  }\n": types.RefreshTokenDocument,
    "\n  query MyDonations($first: Int, $after: String) {\n    myCredits {\n      donations(first: $first, after: $after) {\n        nodes {\n          id\n          ...DonationCell_donation\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MyDonationsDocument,
    "\n  query Home {\n    me {\n      account {\n        id\n        displayName\n      }\n    }\n    myCredits {\n      ...CreditSummary_credits\n      ...TierPerks_credits\n    }\n  }\n": types.HomeDocument,
    "\n  query Ledger($first: Int, $after: String) {\n    myCredits {\n      balance\n      ledger(first: $first, after: $after) {\n        nodes {\n          id\n          ...LedgerEntryCell_entry\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.LedgerDocument,
    "\n  mutation Login($phone: String!, $password: String!) {\n    login(phone: $phone, password: $password) {\n      ...SessionPayload\n    }\n  }\n": types.LoginDocument,
    "\n  query Profile {\n    me {\n      account {\n        id\n        displayName\n        phone\n        role\n        org {\n          id\n          name\n        }\n        partner {\n          id\n          name\n        }\n      }\n      resident {\n        id\n        idNumberMasked\n        town {\n          id\n          name\n        }\n      }\n      enterprise {\n        id\n        name\n      }\n    }\n  }\n": types.ProfileDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  query Receipt($id: ID!) {\n    donation(id: $id) {\n      id\n      receiptNo\n      verificationCode\n      receiptHtml\n    }\n  }\n": types.ReceiptDocument,
    "\n  query MyRedemptions($first: Int, $after: String) {\n    myCredits {\n      redemptions(first: $first, after: $after) {\n        nodes {\n          id\n          ...RedemptionCell_redemption\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MyRedemptionsDocument,
    "\n  mutation CancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) {\n      id\n      status\n      cancelledAt\n      reward {\n        id\n        stock\n      }\n    }\n  }\n": types.CancelRedemptionDocument,
    "\n  query Rewards($first: Int, $after: String) {\n    myCredits {\n      balance\n    }\n    rewards(first: $first, after: $after) {\n      nodes {\n        id\n        ...RewardCard_reward\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RewardsDocument,
    "\n  mutation RedeemReward($rewardId: ID!, $quantity: Int!, $idempotencyKey: String!) {\n    redeemReward(rewardId: $rewardId, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n      replayed\n      redemption {\n        id\n        pickupCode\n        quantity\n        creditsSpent\n        status\n        reward {\n          id\n          stock\n          name\n          org {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.RedeemRewardDocument,
    "\n  query StaffProjects($orgId: ID, $first: Int, $after: String) {\n    charityProjects(orgId: $orgId, first: $first, after: $after) {\n      nodes {\n        id\n        name\n        status\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StaffProjectsDocument,
    "\n  mutation RecordDonation($input: RecordDonationInput!) {\n    recordDonation(input: $input) {\n      replayed\n      donation {\n        id\n        donorName\n        amount\n        creditsAwarded\n        receiptNo\n        ...DonationCell_donation\n      }\n    }\n  }\n": types.RecordDonationDocument,
    "\n  mutation FulfilRedemption($pickupCode: String!) {\n    fulfilRedemption(pickupCode: $pickupCode) {\n      id\n      status\n      quantity\n      fulfilledAt\n      pickupCode\n      reward {\n        id\n        name\n      }\n    }\n  }\n": types.FulfilRedemptionDocument,
    "\n  query TodayDonations($orgId: ID, $from: DateTime, $first: Int, $after: String) {\n    donations(orgId: $orgId, from: $from, first: $first, after: $after) {\n      nodes {\n        id\n        ...DonationCell_donation\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.TodayDonationsDocument,
    "\n  mutation VoidDonation($id: ID!, $reason: String!, $idempotencyKey: String!) {\n    voidDonation(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {\n      replayed\n      donation {\n        id\n        status\n        voidReason\n        voidedAt\n      }\n    }\n  }\n": types.VoidDonationDocument,
    "\n  query YearlyStatement($year: Int!) {\n    myCredits {\n      yearlyStatement(year: $year) {\n        year\n        donationCount\n        total\n        credits\n        verificationCode\n        issuedAt\n        html\n      }\n    }\n  }\n": types.YearlyStatementDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CreditSummary_credits on MyCredits {\n    balance\n    cumulativeDonation\n    tier {\n      id\n      name\n      level\n      threshold\n    }\n    nextTier {\n      id\n      name\n      threshold\n    }\n    toNextTier\n  }\n"): (typeof documents)["\n  fragment CreditSummary_credits on MyCredits {\n    balance\n    cumulativeDonation\n    tier {\n      id\n      name\n      level\n      threshold\n    }\n    nextTier {\n      id\n      name\n      threshold\n    }\n    toNextTier\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DonationCell_donation on Donation {\n    id\n    receiptNo\n    kind\n    amount\n    goodsDescription\n    goodsQuantity\n    donatedAt\n    status\n    creditsAwarded\n    voidReason\n    donorName\n    org {\n      id\n      name\n    }\n    project {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment DonationCell_donation on Donation {\n    id\n    receiptNo\n    kind\n    amount\n    goodsDescription\n    goodsQuantity\n    donatedAt\n    status\n    creditsAwarded\n    voidReason\n    donorName\n    org {\n      id\n      name\n    }\n    project {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LedgerEntryCell_entry on CreditEntry {\n    id\n    kind\n    amount\n    balanceAfter\n    note\n    createdAt\n    certificationId\n    donation {\n      id\n      receiptNo\n      project {\n        id\n        name\n      }\n    }\n    redemption {\n      id\n      reward {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment LedgerEntryCell_entry on CreditEntry {\n    id\n    kind\n    amount\n    balanceAfter\n    note\n    createdAt\n    certificationId\n    donation {\n      id\n      receiptNo\n      project {\n        id\n        name\n      }\n    }\n    redemption {\n      id\n      reward {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RedemptionCell_redemption on Redemption {\n    id\n    quantity\n    creditsSpent\n    pickupCode\n    status\n    createdAt\n    fulfilledAt\n    cancelledAt\n    reward {\n      id\n      name\n      org {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RedemptionCell_redemption on Redemption {\n    id\n    quantity\n    creditsSpent\n    pickupCode\n    status\n    createdAt\n    fulfilledAt\n    cancelledAt\n    reward {\n      id\n      name\n      org {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RewardCard_reward on Reward {\n    id\n    name\n    description\n    creditPrice\n    stock\n    perPersonLimit\n    validUntil\n    org {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment RewardCard_reward on Reward {\n    id\n    name\n    description\n    creditPrice\n    stock\n    perPersonLimit\n    validUntil\n    org {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TierPerks_credits on MyCredits {\n    perks {\n      category\n      description\n    }\n    tierExplanation\n  }\n"): (typeof documents)["\n  fragment TierPerks_credits on MyCredits {\n    perks {\n      category\n      description\n    }\n    tierExplanation\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionPayload on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    account {\n      id\n      displayName\n      role\n      org {\n        id\n        name\n      }\n      partner {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment SessionPayload on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    refreshTokenExpiresAt\n    account {\n      id\n      displayName\n      role\n      org {\n        id\n        name\n      }\n      partner {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionPayload\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionPayload\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyDonations($first: Int, $after: String) {\n    myCredits {\n      donations(first: $first, after: $after) {\n        nodes {\n          id\n          ...DonationCell_donation\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyDonations($first: Int, $after: String) {\n    myCredits {\n      donations(first: $first, after: $after) {\n        nodes {\n          id\n          ...DonationCell_donation\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Home {\n    me {\n      account {\n        id\n        displayName\n      }\n    }\n    myCredits {\n      ...CreditSummary_credits\n      ...TierPerks_credits\n    }\n  }\n"): (typeof documents)["\n  query Home {\n    me {\n      account {\n        id\n        displayName\n      }\n    }\n    myCredits {\n      ...CreditSummary_credits\n      ...TierPerks_credits\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Ledger($first: Int, $after: String) {\n    myCredits {\n      balance\n      ledger(first: $first, after: $after) {\n        nodes {\n          id\n          ...LedgerEntryCell_entry\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Ledger($first: Int, $after: String) {\n    myCredits {\n      balance\n      ledger(first: $first, after: $after) {\n        nodes {\n          id\n          ...LedgerEntryCell_entry\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($phone: String!, $password: String!) {\n    login(phone: $phone, password: $password) {\n      ...SessionPayload\n    }\n  }\n"): (typeof documents)["\n  mutation Login($phone: String!, $password: String!) {\n    login(phone: $phone, password: $password) {\n      ...SessionPayload\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile {\n    me {\n      account {\n        id\n        displayName\n        phone\n        role\n        org {\n          id\n          name\n        }\n        partner {\n          id\n          name\n        }\n      }\n      resident {\n        id\n        idNumberMasked\n        town {\n          id\n          name\n        }\n      }\n      enterprise {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Profile {\n    me {\n      account {\n        id\n        displayName\n        phone\n        role\n        org {\n          id\n          name\n        }\n        partner {\n          id\n          name\n        }\n      }\n      resident {\n        id\n        idNumberMasked\n        town {\n          id\n          name\n        }\n      }\n      enterprise {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Receipt($id: ID!) {\n    donation(id: $id) {\n      id\n      receiptNo\n      verificationCode\n      receiptHtml\n    }\n  }\n"): (typeof documents)["\n  query Receipt($id: ID!) {\n    donation(id: $id) {\n      id\n      receiptNo\n      verificationCode\n      receiptHtml\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyRedemptions($first: Int, $after: String) {\n    myCredits {\n      redemptions(first: $first, after: $after) {\n        nodes {\n          id\n          ...RedemptionCell_redemption\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyRedemptions($first: Int, $after: String) {\n    myCredits {\n      redemptions(first: $first, after: $after) {\n        nodes {\n          id\n          ...RedemptionCell_redemption\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) {\n      id\n      status\n      cancelledAt\n      reward {\n        id\n        stock\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelRedemption($id: ID!) {\n    cancelRedemption(id: $id) {\n      id\n      status\n      cancelledAt\n      reward {\n        id\n        stock\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Rewards($first: Int, $after: String) {\n    myCredits {\n      balance\n    }\n    rewards(first: $first, after: $after) {\n      nodes {\n        id\n        ...RewardCard_reward\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Rewards($first: Int, $after: String) {\n    myCredits {\n      balance\n    }\n    rewards(first: $first, after: $after) {\n      nodes {\n        id\n        ...RewardCard_reward\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RedeemReward($rewardId: ID!, $quantity: Int!, $idempotencyKey: String!) {\n    redeemReward(rewardId: $rewardId, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n      replayed\n      redemption {\n        id\n        pickupCode\n        quantity\n        creditsSpent\n        status\n        reward {\n          id\n          stock\n          name\n          org {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RedeemReward($rewardId: ID!, $quantity: Int!, $idempotencyKey: String!) {\n    redeemReward(rewardId: $rewardId, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n      replayed\n      redemption {\n        id\n        pickupCode\n        quantity\n        creditsSpent\n        status\n        reward {\n          id\n          stock\n          name\n          org {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffProjects($orgId: ID, $first: Int, $after: String) {\n    charityProjects(orgId: $orgId, first: $first, after: $after) {\n      nodes {\n        id\n        name\n        status\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffProjects($orgId: ID, $first: Int, $after: String) {\n    charityProjects(orgId: $orgId, first: $first, after: $after) {\n      nodes {\n        id\n        name\n        status\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordDonation($input: RecordDonationInput!) {\n    recordDonation(input: $input) {\n      replayed\n      donation {\n        id\n        donorName\n        amount\n        creditsAwarded\n        receiptNo\n        ...DonationCell_donation\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RecordDonation($input: RecordDonationInput!) {\n    recordDonation(input: $input) {\n      replayed\n      donation {\n        id\n        donorName\n        amount\n        creditsAwarded\n        receiptNo\n        ...DonationCell_donation\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FulfilRedemption($pickupCode: String!) {\n    fulfilRedemption(pickupCode: $pickupCode) {\n      id\n      status\n      quantity\n      fulfilledAt\n      pickupCode\n      reward {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation FulfilRedemption($pickupCode: String!) {\n    fulfilRedemption(pickupCode: $pickupCode) {\n      id\n      status\n      quantity\n      fulfilledAt\n      pickupCode\n      reward {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TodayDonations($orgId: ID, $from: DateTime, $first: Int, $after: String) {\n    donations(orgId: $orgId, from: $from, first: $first, after: $after) {\n      nodes {\n        id\n        ...DonationCell_donation\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query TodayDonations($orgId: ID, $from: DateTime, $first: Int, $after: String) {\n    donations(orgId: $orgId, from: $from, first: $first, after: $after) {\n      nodes {\n        id\n        ...DonationCell_donation\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VoidDonation($id: ID!, $reason: String!, $idempotencyKey: String!) {\n    voidDonation(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {\n      replayed\n      donation {\n        id\n        status\n        voidReason\n        voidedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation VoidDonation($id: ID!, $reason: String!, $idempotencyKey: String!) {\n    voidDonation(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {\n      replayed\n      donation {\n        id\n        status\n        voidReason\n        voidedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query YearlyStatement($year: Int!) {\n    myCredits {\n      yearlyStatement(year: $year) {\n        year\n        donationCount\n        total\n        credits\n        verificationCode\n        issuedAt\n        html\n      }\n    }\n  }\n"): (typeof documents)["\n  query YearlyStatement($year: Int!) {\n    myCredits {\n      yearlyStatement(year: $year) {\n        year\n        donationCount\n        total\n        credits\n        verificationCode\n        issuedAt\n        html\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;