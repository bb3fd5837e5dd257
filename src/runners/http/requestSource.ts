/**
 * Where the worker's requests come from: a weighted scenario per request, its templates rendered
 * (or its bytes built once when it has none), optionally reshaped by a custom generator, and the
 * scenario's expect checks for the answer.
 */
import { generatedRequest, generatorHelpers, type GeneratorNext } from './customGenerator';
import { requestBytes, weightedPicker, type CompiledScenario, type RenderedRequest, type TargetInfo } from './requestPlan';

/** A request ready to write on a socket. */
export interface OutgoingRequest {
  scenario: number;
  bytes: Buffer;
  /** HEAD: the answer has no body whatever its headers say. */
  noBody: boolean;
  /** An expect check needs the body. */
  keepBody: boolean;
}

export class RequestSource {
  /** Name of the running phase, for the custom generator's context. */
  phase = '';
  private seq = 0;
  private readonly pick: () => number;
  private readonly prebuilt: (Buffer | undefined)[];
  private readonly head: boolean[];

  constructor(
    readonly scenarios: readonly CompiledScenario[],
    private readonly target: TargetInfo,
    private readonly generator?: GeneratorNext,
  ) {
    this.pick = weightedPicker(scenarios.map((s) => s.weight));
    this.prebuilt = scenarios.map((s) => (s.isStatic && !generator ? requestBytes(s.render({ seq: 0 }), target.host) : undefined));
    this.head = scenarios.map((s) => s.render({ seq: 0 }).method === 'HEAD');
  }

  get hasGenerator(): boolean {
    return this.generator !== undefined;
  }

  /** Picks a scenario by weight and builds its next request. */
  next(): OutgoingRequest {
    const scenario = this.pick();
    const fixed = this.prebuilt[scenario];
    if (fixed) {
      this.seq++;
      const s = this.scenarios[scenario]!;
      return { scenario, bytes: fixed, noBody: this.head[scenario]!, keepBody: s.bodyContains !== undefined };
    }
    const req = this.render(scenario);
    return {
      scenario,
      bytes: requestBytes(req, this.target.host),
      noBody: req.method === 'HEAD',
      keepBody: this.scenarios[scenario]!.bodyContains !== undefined,
    };
  }

  /** The next request of one scenario, as fields (for engines that build bytes themselves). */
  render(scenario: number): RenderedRequest {
    const seq = ++this.seq;
    const s = this.scenarios[scenario]!;
    const own = s.render({ seq });
    if (!this.generator) return own;
    let out;
    try {
      out = this.generator({ seq, phase: this.phase, scenario: s.name, request: own, helpers: generatorHelpers });
    } catch (err) {
      throw new GeneratorFailure(`the custom generator's next(ctx) threw: ${(err as Error)?.message ?? String(err)}`);
    }
    if (out == null) return own;
    try {
      return generatedRequest(out, own, this.target.basePath, this.target.headers);
    } catch (err) {
      throw new GeneratorFailure((err as Error).message);
    }
  }

  /** The error kind for an answer that fails the scenario's expect checks, else undefined. */
  check(scenario: number, status: number, body: string | undefined): string | undefined {
    const s = this.scenarios[scenario]!;
    if (!s.statusOk(status)) return `status:${status}`;
    if (s.bodyContains !== undefined && !(body ?? '').includes(s.bodyContains)) return 'expect:body';
    return undefined;
  }
}

/** The custom generator failed: the run stops with this message. */
export class GeneratorFailure extends Error {
  override name = 'GeneratorFailure';
}
