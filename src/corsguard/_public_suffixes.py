"""Public suffixes: names under which anyone can register a site of their own.

`https://*.<public suffix>` with credentials would share users' data with every registrant, so
configuration rejects it. The core has no dependencies, so this is not the whole Public Suffix
List (publicsuffix.org): every single-label name (a top-level domain) counts, plus the multi-label
suffixes below, which are the ones most often seen in CORS configurations.
"""

from __future__ import annotations

# NOTE: a subset of the Public Suffix List (https://publicsuffix.org/list/); a wildcard over a
# public suffix that is missing here is accepted. Add entries as users report them.
MULTI_LABEL_PUBLIC_SUFFIXES = frozenset(
    {
        # Country-code second-level domains.
        "ac.uk", "co.uk", "gov.uk", "ltd.uk", "me.uk", "net.uk", "org.uk", "plc.uk", "sch.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "net.nz", "org.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr", "or.kr", "com.cn", "net.cn", "org.cn",
        "com.hk", "com.tw", "com.sg", "com.my", "co.in", "net.in", "org.in", "co.id", "co.th",
        "com.br", "net.br", "org.br", "com.ar", "com.mx", "com.co", "com.pe", "co.za", "org.za",
        "com.tr", "com.ua", "co.il", "com.eg", "com.ng", "com.pk", "com.ph", "com.vn",
        # Hosting platforms that give each customer a subdomain.
        "github.io", "gitlab.io", "pages.dev", "workers.dev", "vercel.app", "now.sh", "netlify.app",
        "netlify.com", "herokuapp.com", "herokussl.com", "fly.dev", "onrender.com", "railway.app",
        "appspot.com", "web.app", "firebaseapp.com", "cloudfunctions.net", "run.app",
        "azurewebsites.net", "azurestaticapps.net", "cloudapp.net", "trafficmanager.net",
        "cloudfront.net", "amplifyapp.com", "elasticbeanstalk.com", "s3.amazonaws.com",
        "blogspot.com", "wordpress.com", "glitch.me", "repl.co", "replit.dev", "ngrok.io",
        "ngrok-free.app", "loca.lt", "surge.sh", "deno.dev", "fastly.net", "edgecompute.app",
        "digitaloceanspaces.com", "ondigitalocean.app", "pythonanywhere.com", "readthedocs.io",
        "codesandbox.io", "stackblitz.io", "webcontainer.io", "translate.goog",
    }
)

# Single-label names that are not public suffixes for this purpose.
NOT_PUBLIC = frozenset({"localhost"})


def is_public_suffix(host: str) -> bool:
    """Tell whether anyone can register names directly under `host`."""
    name = host.rstrip(".")
    if "." not in name:
        return name not in NOT_PUBLIC
    return name in MULTI_LABEL_PUBLIC_SUFFIXES
