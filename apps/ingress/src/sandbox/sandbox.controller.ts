import { Body, Controller, Get, Header, Inject, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@tgg/config';
import { ApiError } from '@tgg/service-runtime';
import { SANDBOX_PAGE } from './sandbox-page.js';

/**
 * GET /sandbox and its small API, registered only in sandbox mode. The API forwards to the
 * emulators' control server (started by `npm start`), which plays the customer and the agent.
 */
@Controller('sandbox')
export class SandboxController {
  private readonly controlUrl: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.sandboxConsole) throw new Error('SandboxController needs sandbox mode');
    this.controlUrl = config.sandboxConsole.controlUrl;
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return SANDBOX_PAGE;
  }

  @Get('api/state')
  async state(@Res() reply: FastifyReply): Promise<void> {
    await this.forward('GET', '/state', undefined, reply);
  }

  @Post('api/customer')
  async customer(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    await this.forward('POST', '/customer', body, reply);
  }

  @Post('api/agent')
  async agent(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    await this.forward('POST', '/agent', body, reply);
  }

  @Post('api/tap')
  async tap(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    await this.forward('POST', '/tap', body, reply);
  }

  private async forward(method: 'GET' | 'POST', path: string, body: unknown, reply: FastifyReply): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.controlUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: Buffer.isBuffer(body) ? body : undefined,
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new ApiError(502, 'sandbox_unreachable', 'the sandbox emulators are not running (start with `npm start`)');
    }
    void reply.status(response.status).header('content-type', 'application/json').send(await response.text());
  }
}
