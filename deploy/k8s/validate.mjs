// validate.mjs: checks deploy/k8s offline against the Kubernetes 1.34 API schemas that npm's
// kubernetes-models 5.1.0 carries (types, required fields, enums, formats), and, as kubectl's
// strict field validation would on apply, that no field is unknown (read from the models' type
// declarations). Also: every manifest file is listed in kustomization.yaml, names are unique,
// and what the manifests promise operators (replicas, probes, pull policy, policies) holds.
//   node deploy/k8s/validate.mjs <node_modules dir holding kubernetes-models and yaml>
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const modules = path.resolve(process.argv[2] || "build-tools/node_modules");
const dir = path.dirname(new URL(import.meta.url).pathname);
const YAML = createRequire(path.join(modules, "noop.js"))("yaml");
const models = path.join(modules, "kubernetes-models");
const problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

// ---- strict fields, from the interfaces in the models' .d.ts files ----
const interfaces = new Map(); // .d.ts path -> {props: Map(name -> type text), imports: Map}
function parseDts(file) {
  if (interfaces.has(file)) return interfaces.get(file);
  let parsed = null;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8");
    const imports = new Map();
    for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1], m[2]);
    const body = text.match(/^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)\n\}$/m);
    if (body) {
      const props = new Map();
      for (const m of body[1].matchAll(/^    "([^"]+)"\??: (.*)$/gm)) props.set(m[1], m[2].replace(/;$/, ""));
      parsed = { props, imports, file };
    }
  }
  interfaces.set(file, parsed);
  return parsed;
}

function resolveImport(from, spec) {
  if (spec.startsWith("@")) return path.join(modules, spec) + ".d.ts";
  return path.resolve(path.dirname(from), spec.replace(/\.js$/, ".d.ts"));
}

function checkFields(data, iface, where) {
  if (!iface || data === null || typeof data !== "object" || Array.isArray(data)) return;
  for (const [key, value] of Object.entries(data)) {
    const type = iface.props.get(key);
    if (type === undefined) {
      problem(where, `unknown field "${key}"`);
      continue;
    }
    const array = type.match(/^Array<(\w+)>$/);
    const name = array ? array[1] : type;
    const spec = iface.imports.get(name);
    if (!spec) continue; // a primitive, a literal or a map
    const inner = parseDts(resolveImport(iface.file, spec));
    if (array && Array.isArray(value)) value.forEach((v, i) => checkFields(v, inner, `${where}.${key}[${i}]`));
    else if (!array) checkFields(value, inner, `${where}.${key}`);
  }
}

// ---- documents ----
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const base = group ? path.join(models, group, version, kind) : path.join(models, version, kind);
  if (!fs.existsSync(base + ".js")) return null;
  const mod = await import(pathToFileURL(base + ".js"));
  return { Model: mod[kind], dts: base + ".d.ts" };
}

const kustomization = YAML.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
const listed = kustomization.resources || [];
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml"))
  if (!listed.includes(f)) problem(f, "not listed in kustomization.yaml, so apply -k would skip it");

// One object against its schema and its fields; false when there is no such kind.
async function checkObject(obj, where) {
  const found = await modelFor(obj.apiVersion || "", obj.kind || "");
  if (!found) {
    problem(where, `no ${obj.apiVersion} ${obj.kind} in Kubernetes 1.34`);
    return false;
  }
  try {
    new found.Model(obj).validate();
  } catch (e) {
    problem(where, e.message);
  }
  const iface = parseDts(found.dts);
  if (!iface) problem(where, `cannot read the fields of ${obj.kind} from ${found.dts}`);
  checkFields(obj, iface, where);
  return true;
}

function documents(file) {
  const out = [];
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
    if (doc.errors.length) problem(path.relative(dir, file), doc.errors[0].message);
    else if (doc.toJSON() !== null) out.push(doc.toJSON());
  }
  return out;
}

const objects = [];
for (const file of listed) {
  for (const obj of documents(path.join(dir, file))) {
    const where = `${file}: ${obj.kind}/${obj.metadata?.name}`;
    if (await checkObject(obj, where)) objects.push({ obj, where });
  }
}

// ---- the tls component: its patches applied as kustomize's strategic merge would ----
// Lists of named items merge by name, null deletes a field, anything else replaces.
function merge(base, patch) {
  if (Array.isArray(patch) && Array.isArray(base) && patch.every((p) => p && p.name !== undefined)) {
    const out = base.map((b) => structuredClone(b));
    for (const p of patch) {
      const i = out.findIndex((b) => b.name === p.name);
      if (i < 0) out.push(p);
      else out[i] = merge(out[i], p);
    }
    return out;
  }
  if (!patch || typeof patch !== "object" || Array.isArray(patch) || !base || typeof base !== "object") return patch;
  const out = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}
const tls = YAML.parse(fs.readFileSync(path.join(dir, "tls", "kustomization.yaml"), "utf8"));
for (const { path: file } of tls.patches || []) {
  for (const patch of documents(path.join(dir, "tls", file))) {
    const where = `tls/${file}: ${patch.kind}/${patch.metadata?.name}`;
    const target = objects.find((o) => o.obj.kind === patch.kind && o.obj.metadata.name === patch.metadata.name);
    if (!target) {
      problem(where, "patches nothing: no such object in the manifests");
      continue;
    }
    const patched = merge(target.obj, patch);
    await checkObject(patched, where);
    for (const c of patched.spec.template.spec.containers)
      for (const probe of [c.startupProbe, c.readinessProbe])
        if (probe && probe.grpc) problem(where, "a gRPC probe left: the kubelet's probes speak plaintext only");
  }
}

// ---- what the manifests promise ----
const seen = new Set();
for (const { obj, where } of objects) {
  const key = `${obj.kind}/${obj.metadata.name}`;
  if (seen.has(key)) problem(where, "defined twice");
  seen.add(key);
  if (obj.kind !== "Deployment") continue;
  const name = obj.metadata.name;
  if (!(obj.spec.replicas >= 2)) problem(where, "fewer than 2 replicas");
  for (const c of obj.spec.template.spec.containers) {
    if (!c.image || !c.image.includes(":") || c.image.endsWith(":latest"))
      problem(where, `image "${c.image}" is not an explicit versioned reference`);
    if (!c.imagePullPolicy) problem(where, "no imagePullPolicy");
    if (!c.readinessProbe || !c.livenessProbe) problem(where, "readiness or liveness probe missing");
    if (!c.resources?.requests) problem(where, "no resource requests (the autoscaler needs them)");
    // Least privilege (docs/hardening.md): the owner's database secret only in the migration
    // init container; a service serves as its own role, checking the schema, never migrating.
    const env = Object.fromEntries((c.env || []).map((e) => [e.name, e]));
    const db = env.UNIC_DB_URL?.valueFrom?.secretKeyRef?.name;
    if (db === "unic-db-app") problem(where, `container ${c.name} serves with the owner's database secret`);
    if (db && env.UNIC_MIGRATE?.value !== "check") problem(where, `container ${c.name} does not run with UNIC_MIGRATE=check`);
    if (env.UNIC_BOOTSTRAP_KEY) problem(where, `container ${c.name} holds the bootstrap key: the migration job stores it`);
  }
  for (const c of obj.spec.template.spec.initContainers || []) {
    const env = Object.fromEntries((c.env || []).map((e) => [e.name, e]));
    if (env.UNIC_DB_URL && env.UNIC_MIGRATE?.value !== "only") problem(where, `init container ${c.name} would serve`);
  }
  for (const kind of ["Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"])
    if (!seen.has(`${kind}/${name}`) && !objects.some((o) => o.obj.kind === kind && o.obj.metadata.name === name))
      problem(where, `no ${kind} named ${name}`);
}
if (!objects.some((o) => o.obj.kind === "NetworkPolicy")) problem("deploy/k8s", "no NetworkPolicy");

// ---- the paragraph 8 reminders' operator key (docs/notifications.md) ----
// A Secret volume, required, mounted read-only in the catalog's migrate init container (which
// stores the key) and its serving container (which calls with it), UNIC_REMINDER_KEY_FILE naming
// the file there; the key is not the bootstrap key's Secret, and no other container gets it.
const reminderReaders = { "unic-catalog": ["migrate", "catalog"] };
let reminderSecret = null;
for (const { obj, where } of objects) {
  if (obj.kind !== "Deployment") continue;
  const pod = obj.spec.template.spec;
  const volumes = Object.fromEntries((pod.volumes || []).map((v) => [v.name, v]));
  const readers = reminderReaders[obj.metadata.name] || [];
  for (const c of [...(pod.initContainers || []), ...pod.containers]) {
    const file = (c.env || []).find((e) => e.name === "UNIC_REMINDER_KEY_FILE")?.value;
    const mount = file && (c.volumeMounts || []).find((m) => file.startsWith(m.mountPath.replace(/\/?$/, "/")));
    const secret = mount && volumes[mount.name]?.secret;
    if (!readers.includes(c.name)) {
      if (file) problem(where, `container ${c.name} holds the reminders' operator key: only unic-catalog's migrate and catalog may`);
      continue;
    }
    const item = secret && file.slice(mount.mountPath.replace(/\/?$/, "/").length);
    if (!file) problem(where, `container ${c.name} has no UNIC_REMINDER_KEY_FILE: the reminders would be off`);
    else if (!secret) problem(where, `container ${c.name}: UNIC_REMINDER_KEY_FILE ${file} is not in a mounted Secret volume`);
    else {
      if (secret.optional) problem(where, `the reminders' Secret ${secret.secretName} is optional: a pod without it would start with reminders off`);
      if (!mount.readOnly) problem(where, `container ${c.name} mounts the reminders' key writable`);
      if (secret.items && !secret.items.some((i) => i.path === item)) problem(where, `the Secret volume holds no ${item}`);
      if (secret.secretName === "unic-bootstrap") problem(where, "the reminders use the bootstrap key: give them their own");
      if (reminderSecret && reminderSecret !== secret.secretName) problem(where, `the reminders' key comes from ${secret.secretName} and ${reminderSecret}`);
      reminderSecret = secret.secretName;
    }
  }
}
for (const { obj, where } of objects)
  if (obj.kind === "Deployment" && !reminderReaders[obj.metadata.name])
    for (const v of obj.spec.template.spec.volumes || [])
      if (v.secret && v.secret.secretName === reminderSecret) problem(where, `mounts the reminders' Secret ${reminderSecret}`);
if (!reminderSecret) problem("services.yaml", "no container reads the reminders' key from a Secret");

if (problems.length) {
  for (const p of problems) console.error(`deploy/k8s/${p}`);
  console.error(`${problems.length} problem(s) in deploy/k8s`);
  process.exit(1);
}
console.log(`deploy/k8s: ${objects.length} objects valid for Kubernetes 1.34 (kubernetes-models 5.1.0, strict fields)`);
