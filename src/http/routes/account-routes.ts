import { HttpError } from '../error-codes';
import { defineRoute, type ApiRoute } from '../route';
import {
  accountIdParams,
  accountListQuery,
  accountPage,
  accountSchema,
  createAccountsBody,
  createAccountsResult,
  deletedAccount,
  updateAccountsBody,
  updateAccountsResult,
} from '../schemas/accounts';
import { deleteQuery } from '../schemas/common';
import { accountResponse } from '../views';
import { positionHeader, runKeyedBatch } from './batch';
import type { RouteServices } from './services';
import { WRITE_ERRORS } from './write-errors';

const tags = ['Accounts (账号管理)'];

export function accountRoutes(services: RouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/accounts',
      summary: 'Create accounts in a batch (批量创建账号)',
      description:
        'Registers 1–200 accounts. Site type and quota reset time are filled in when omitted (from the session prefix and the account type). ' +
        'Each item gets its own result; the session id is sealed at once and never shown again.',
      tags,
      roles: ['admin'],
      body: { schema: createAccountsBody },
      responses: {
        200: { description: 'One result per account, in request order', data: createAccountsResult },
      },
      errors: [...WRITE_ERRORS],
      async handle({ body, command }) {
        const answer = await runKeyedBatch(body.accounts, services.batchConcurrency, services.logger, {
          key: (account) => account.jimengAccount,
          duplicate: (jimengAccount) => `jimengAccount ${jimengAccount} appears earlier in this batch`,
          work: (account) => services.accounts.register(account, body.createBy, command),
          label: (account) => ({ jimengAccount: account.jimengAccount }),
        });
        return { status: 200, data: answer.data, headers: positionHeader(answer.position) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/accounts',
      summary: 'Update accounts in a batch (批量修改账号)',
      description:
        'Changes 1–200 accounts by id; only the fields given change. A new sessionId is sealed like on creation.',
      tags,
      roles: ['admin'],
      body: { schema: updateAccountsBody },
      responses: {
        200: { description: 'One result per account, in request order', data: updateAccountsResult },
      },
      errors: [...WRITE_ERRORS],
      async handle({ body, command }) {
        const answer = await runKeyedBatch(body.accounts, services.batchConcurrency, services.logger, {
          key: (patch) => patch.id,
          duplicate: (id) => `account ${id} appears earlier in this batch: merge the changes`,
          work: (patch) => services.accounts.update(patch, body.updateBy, command),
          label: (patch) => ({ accountId: patch.id }),
        });
        return { status: 200, data: answer.data, headers: positionHeader(answer.position) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/accounts',
      summary: 'List accounts, by creator (根据创建人分页查询账号)',
      description:
        'Deleted accounts are left out. Eventually consistent: a write shows here within milliseconds.',
      tags,
      roles: ['admin'],
      query: accountListQuery,
      responses: { 200: { description: 'A page of accounts', data: accountPage } },
      errors: [],
      async handle({ query }) {
        const page = await services.readModels.listAccounts({
          ...(query.createBy === undefined ? {} : { createBy: query.createBy }),
          ...(query.accountStatus === undefined ? {} : { accountStatus: query.accountStatus as 0 }),
          ...(query.siteType === undefined ? {} : { siteType: query.siteType as 0 }),
          page: query.page ?? 1,
          pageSize: query.pageSize ?? 10,
          sortBy: query.sortBy ?? 'createdAt',
          sortOrder: query.sortOrder ?? 'desc',
        });
        return { status: 200, data: { ...page, list: page.list.map(accountResponse) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/accounts/{id}',
      summary: 'Get one account',
      tags,
      roles: ['admin'],
      params: accountIdParams,
      responses: { 200: { description: 'The account (session id masked)', data: accountSchema } },
      errors: ['NOT_FOUND'],
      async handle({ params }) {
        const account = await services.readModels.getAccount(params.id);
        if (account === null || account.isDeleted)
          throw new HttpError('NOT_FOUND', `no account ${params.id}`);
        return { status: 200, data: accountResponse(account) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/accounts/{id}',
      summary: 'Delete an account logically (逻辑删除账号)',
      description:
        'The account leaves the pool; its history stays in the event store. Deleting twice succeeds.',
      tags,
      roles: ['admin'],
      params: accountIdParams,
      query: deleteQuery,
      responses: { 200: { description: 'Deleted', data: deletedAccount } },
      errors: ['NOT_FOUND'],
      async handle({ params, query, principal, command }) {
        const outcome = await services.accounts.delete(params.id, query.updateBy ?? principal.name, command);
        if (outcome.result === 'rejected') throw new HttpError('NOT_FOUND', outcome.message);
        return {
          status: 200,
          data: { accountId: params.id, deleted: true },
          headers: positionHeader(outcome.position),
        };
      },
    }),
  ];
}
