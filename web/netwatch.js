// What a global scope (the page, or one of its workers) asks of the network, reported as plain
// objects: every resource it loaded (Resource Timing), every request its code sent through
// fetch, XMLHttpRequest or sendBeacon with the size of its body, and every request the
// Content-Security-Policy blocked. The privacy ledger adds these up; nothing here blocks.

function bodySize(body) {
  if (body == null) return 0;
  if (typeof body === "string") return new TextEncoder().encode(body).byteLength;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return new TextEncoder().encode(body.toString()).byteLength;
  if (body instanceof FormData) {
    let size = 0;
    for (const [key, value] of body) size += key.length + (typeof value === "string" ? value.length : value.size);
    return size;
  }
  return 0; // a stream: its size is unknown until read
}

function absolute(url, scope) {
  try {
    return new URL(url, scope.location.href).href;
  } catch {
    return String(url);
  }
}

/**
 * A predicate that is false for the second report of one blocked request. Where the policy
 * arrives twice (the page's <meta> and the service worker's header, which differ by
 * frame-ancestors), one blocked request fires one event per policy, one after the other: the
 * same request (URL and source position) under a policy not yet seen for it is that second
 * report. A repeated attempt reports under the first policy again, so it counts. (Before, a
 * 5 ms window between the two events decided, and a loaded machine could stretch it.)
 */
export function violationFilter() {
  let last = null;
  return (event) => {
    const key = `${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`;
    if (last && last.key === key && !last.policies.has(event.originalPolicy)) {
      last.policies.add(event.originalPolicy);
      return false;
    }
    last = { key, policies: new Set([event.originalPolicy]) };
    return true;
  };
}

/** Start watching `scope`; `report` receives {kind, url, method?, bytes?, at} objects. */
export function watchNetwork(scope, report) {
  const origin = scope.performance.timeOrigin;
  new scope.PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!/^https?:/.test(entry.name)) continue; // blob: and data: never leave the device
      report({
        kind: "resource",
        url: entry.name,
        failed: entry.responseStatus === 0 && entry.transferSize === 0 && entry.decodedBodySize === 0,
        at: origin + entry.startTime,
      });
    }
  }).observe({ type: "resource", buffered: true });

  const firstReport = violationFilter();
  scope.addEventListener("securitypolicyviolation", (event) => {
    if (!firstReport(event)) return;
    report({ kind: "blocked", url: event.blockedURI, directive: event.effectiveDirective, at: Date.now() });
  });

  const realFetch = scope.fetch.bind(scope);
  scope.fetch = async (input, init) => {
    const options = init ?? {};
    const request = input instanceof Request ? input : null;
    const method = (options.method || request?.method || "GET").toUpperCase();
    const url = absolute(request ? request.url : input, scope);
    let bytes = bodySize(options.body);
    if (!bytes && request && request.body) bytes = (await request.clone().arrayBuffer()).byteLength;
    const response = await realFetch(input, init);
    if (bytes) report({ kind: "sent", url, method, bytes, at: Date.now() });
    return response;
  };

  if (scope.XMLHttpRequest) {
    const { open, send } = scope.XMLHttpRequest.prototype;
    scope.XMLHttpRequest.prototype.open = function (method, url, ...rest) {
      this.imgcompressRequest = { method: String(method).toUpperCase(), url: absolute(url, scope) };
      return open.call(this, method, url, ...rest);
    };
    scope.XMLHttpRequest.prototype.send = function (body) {
      const bytes = bodySize(body);
      if (bytes) {
        this.addEventListener("load", () => report({ kind: "sent", ...this.imgcompressRequest, bytes, at: Date.now() }));
      }
      return send.call(this, body);
    };
  }

  if (scope.navigator?.sendBeacon) {
    const beacon = scope.navigator.sendBeacon.bind(scope.navigator);
    scope.navigator.sendBeacon = (url, data) => {
      const queued = beacon(url, data);
      if (queued) report({ kind: "sent", url: absolute(url, scope), method: "POST", bytes: bodySize(data), at: Date.now() });
      return queued;
    };
  }
}
