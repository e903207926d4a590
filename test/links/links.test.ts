import { describe, expect, it } from "vitest";
import { isPublicAddress } from "../../src/links/addresses";
import { normaliseUrl } from "../../src/links/normalise";
import { refusal } from "../../src/links/static-check";
import { failsReview } from "../../src/links/verdict";

describe("addresses a link check may reach", () => {
  it("are global unicast only", () => {
    for (const address of ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700::6810:84e5", "2a00:1450:4001:80b::200e"]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it("never loopback, private, shared, link-local (metadata), documentation, multicast or reserved ones", () => {
    for (const address of [
      "127.0.0.1", "127.8.9.10", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
      "100.100.100.200", "169.254.169.254", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9", "224.0.0.1",
      "240.0.0.1", "255.255.255.255", "::", "::1", "[::1]", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "2001:db8::1",
      "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::127.0.0.1", "100::1",
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it("see through IPv6 forms that hide a public or private IPv4 address", () => {
    expect(isPublicAddress("::ffff:8.8.8.8")).toBe(true);
    expect(isPublicAddress("2002:0808:0808::1")).toBe(true);
    expect(isPublicAddress("2002:0a00:0001::1")).toBe(false);
  });
});

describe("the static checks", () => {
  it("refuse schemes other than http(s), credentials, and hosts that cannot be public, without any network", () => {
    const refused = {
      "file:///etc/passwd": /file: scheme/,
      "data:text/html,<script>alert(1)</script>": /data: scheme/,
      "javascript:alert(1)": /javascript: scheme/,
      "ftp://example.com/x": /ftp: scheme/,
      "https://user:secret@example.com/": /credentials/,
      "https://token@example.com/": /credentials/,
      "http://localhost:8787/": /local or internal/,
      "http://app.localhost/": /local or internal/,
      "http://printer.local/": /local or internal/,
      "http://metadata.google.internal/computeMetadata/v1/": /local or internal/,
      "http://metadata/": /single-label/,
      "http://127.0.0.1/": /private/,
      "http://2130706433/": /private/,
      "http://0x7f.0.0.1/": /private/,
      "http://0177.0.0.1/": /private/,
      "http://169.254.169.254/latest/meta-data/": /private/,
      "http://[::1]/": /private/,
      "http://[::ffff:127.0.0.1]/": /private/,
      "http://[fd00:ec2::254]/": /private/,
      "http://10.0.0.5:8080/": /private/,
      "not a url": /not a URL/,
    };
    for (const [url, reason] of Object.entries(refused)) expect(refusal(url), url).toMatch(reason);
  });

  it("let public names and public addresses through to the network checks", () => {
    for (const url of ["https://edge-chess.ada.workers.dev/", "https://github.com/ada/edge-chess", "http://93.184.216.34/", "https://[2606:4700::6810:84e5]/", "https://example.com:8443/x"]) {
      expect(refusal(url), url).toBeNull();
    }
  });
});

describe("normalised links", () => {
  it("are one spelling for every way of writing a repository", () => {
    const spellings = [
      "https://github.com/ada/edge-chess",
      "http://github.com/ada/edge-chess",
      "https://www.github.com/Ada/Edge-Chess.git",
      "https://GITHUB.com/ada/edge-chess/",
      "https://github.com/ada/edge-chess?tab=readme-ov-file#top",
      "https://github.com/ada/edge-chess/tree/main/src",
      "https://github.com./ada/edge-chess",
    ];
    expect(new Set(spellings.map(normaliseUrl))).toEqual(new Set(["github.com/ada/edge-chess"]));
  });

  it("keep what tells two sites apart: other hosts' path case, ports, subdomains", () => {
    expect(normaliseUrl("https://Edge.Example.dev/App/")).toBe("edge.example.dev/App");
    expect(normaliseUrl("https://example.dev:8443/app")).toBe("example.dev:8443/app");
    expect(normaliseUrl("https://example.dev:443/app")).toBe("example.dev/app");
    expect(normaliseUrl("https://ada.github.io/Chess")).toBe("ada.github.io/Chess");
    expect(normaliseUrl("https://gitlab.com/group/sub/project.git")).toBe("gitlab.com/group/sub/project");
    expect(normaliseUrl("mailto:ada@example.com")).toBeNull();
  });
});

describe("the review verdict", () => {
  it("fails a submission whose demo is not live or whose repository is not public, never one that was not checked", () => {
    expect(failsReview("live", "public")).toBe(false);
    expect(failsReview("unchecked", "unchecked")).toBe(false);
    expect(failsReview("live", "reachable")).toBe(false);
    expect(failsReview("error", "public")).toBe(true);
    expect(failsReview("refused", "unchecked")).toBe(true);
    expect(failsReview("live", "missing")).toBe(true);
    expect(failsReview("live", "private")).toBe(true);
  });
});
