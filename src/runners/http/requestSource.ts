/**
 * Where the worker's requests come from: a weighted scenario per request, its templates rendered
 * (or its bytes built once when it has none), optionally reshaped by a custom generator, and the
 * scenario's expect checks for the answer. Every request built at run time passes
 * {@link requestFault} first, so neither generator ever serialises a control character.
 */
import { generatedRequest, generatorHelpers, type GeneratorNext } from './customGenerator';
import { requestBytes, requestFault, weightedPicker, type CompiledScenario, type RenderedRequest, type TargetInfo } from './requestPlan';

/** The error kind of a request refused by {@link requestFault}. */
export const INVALID_REQUEST = 'invalid-request';
/**
 * Refused requests in a row after which the run stops: the generator builds nothing that can be
 * sent, and a run of refusals would measure nothing.
 */
export const MAX_REFUSED_IN_A_ROW = 100;

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

  private refusedInARow = 0;
  private warned = false;

  /** `warn` gets one line, the first time a request is refused. */
  constructor(
    readonly scenarios: readonly CompiledScenario[],
    private readonly target: TargetInfo,
    private readonly generator?: GeneratorNext,
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.pick = weightedPicker(scenarios.map((s) => s.weight));
    this.prebuilt = scenarios.map((s) => (s.isStatic && !generator ? requestBytes(s.render({ seq: 0 }), target.host) : undefined));
    this.head = scenarios.map((s) => s.render({ seq: 0 }).method === 'HEAD');
  }

  get hasGenerator(): boolean {
    return this.generator !== undefined;
  }

  /** Picks a scenario by weight and builds its next request; throws {@link InvalidRequest} for one it refuses. */
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

  /**
   * The next request of one scenario, as fields (for engines that build bytes themselves).
   * Throws {@link InvalidRequest} for a request it refuses, and a {@link GeneratorFailure} after
   * {@link MAX_REFUSED_IN_A_ROW} of them in a row.
   */
  render(scenario: number): RenderedRequest {
    const seq = ++this.seq;
    const s = this.scenarios[scenario]!;
    const own = s.render({ seq });
    let req = own;
    if (this.generator) {
      let out;
      try {
        out = this.generator({ seq, phase: this.phase, scenario: s.name, request: own, helpers: generatorHelpers });
      } catch (err) {
        throw new GeneratorFailure(`the custom generator's next(ctx) threw: ${(err as Error)?.message ?? String(err)}`);
      }
      if (out != null) {
        try {
          req = generatedRequest(out, own, this.target.basePath, this.target.headers);
        } catch (err) {
          throw new GeneratorFailure((err as Error).message);
        }
      }
    }
    // A static scenario's own request was checked once, when it was compiled.
    const fault = req === own && s.isStatic ? undefined : requestFault(req);
    if (fault) this.refuse(scenario, `request ${seq}${req === own ? '' : ' from the custom generator'}`, fault);
    this.refusedInARow = 0;
    return req;
  }

  private refuse(scenario: number, what: string, fault: string): never {
    const message = `scenario "${this.scenarios[scenario]!.name}": ${what} was refused, not sent: ${fault}`;
    if (++this.refusedInARow >= MAX_REFUSED_IN_A_ROW) {
      throw new GeneratorFailure(`the last ${MAX_REFUSED_IN_A_ROW} requests were all refused, so there is nothing to send; ${message}`);
    }
    if (!this.warned) {
      this.warned = true;
      this.warn(`${message}; every request like it is refused and counted as an error of kind ${INVALID_REQUEST} (said once per run)`);
    }
    throw new InvalidRequest(scenario, message);
  }

  /** The error kind for an answer that fails the scenario's expect checks, else undefined. */
  check(scenario: number, status: number, body: string | undefined): string | undefined {
    const s = this.scenarios[scenario]!;
    if (!s.statusOk(status)) return `status:${status}`;
    if (s.bodyContains !== undefined && !(body ?? '').includes(s.bodyContains)) return 'expect:body';
    return undefined;
  }
}

/** A request refused before it was sent: an {@link INVALID_REQUEST} error of its scenario. */
export class InvalidRequest extends Error {
  override name = 'InvalidRequest';
  constructor(readonly scenario: number, message: string) {
    super(message);
  }
}

/** The custom generator failed: the run stops with this message. */
export class GeneratorFailure extends Error {
  override name = 'GeneratorFailure';
}
