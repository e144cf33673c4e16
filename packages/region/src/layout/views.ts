// Live views over mapped bytes: one class per layout, generated once, with a getter
// (and, when writable, a setter) per field that calls DataView at a constant offset.
//
// Why generate code: V8 shares type feedback between closures made from the same
// function literal, so closure-built accessors (or methods on a shared base class)
// go megamorphic as soon as a program uses a few layouts, and a field read became
// 20x slower in our measurements. A class per layout keeps every access site
// monomorphic. Only numbers, booleans and DataView method names from scalar-code.ts
// are pasted into the source; field names are passed in as values.
//
// A root view (region.view, a cursor, an element from at()) holds its own base offset.
// A nested record or array is a view compiled for its place in the root layout: it
// reads the root's base and adds a constant, so seek() stores one number and every
// nested view follows at no cost.
//
// Views hold a ViewTarget, never a DataView of their own: when the region is resized
// or closed it swaps the target's `dv` for one that throws, so every outstanding view
// fails loudly with ESTALE or ECLOSED instead of reading memory that moved.
import { MapsyncRangeError, MapsyncTypeError } from '@mapsync/native';

import { assignFields, codecOf, type Codec } from './codec.js';
import {
  readExpression,
  rejectsExpression,
  scalarValueError,
  writeStatement,
} from './scalar-code.js';
import type { ArrayLayout, Layout, StructLayout } from './types.js';

/** The bytes a view reads, and where its writes are reported (to mark pages dirty). */
export interface ViewTarget {
  readonly dv: DataView;
  /** Called after every write through a view: `length` bytes at `at` in `dv` changed. */
  touched(at: number, length: number): void;
}

export type Access = 'readonly' | 'writable';

// A view's own state, under symbols: they cannot collide with field names, and V8
// keeps them as fast as plain properties (ES private fields measured 2x slower on
// Node 20 in a hot loop). Root views have B, O, S, N; nested ones R.
const STATE = {
  T: Symbol('mapsync.target'),
  B: Symbol('mapsync.base'),
  O: Symbol('mapsync.origin'),
  S: Symbol('mapsync.stride'),
  N: Symbol('mapsync.count'),
  R: Symbol('mapsync.root'),
};

// One symbol per nested view of a record, by position: this[C0], this[C1]...
const childKeys: symbol[] = [];
function childKey(index: number): symbol {
  while (childKeys.length <= index) childKeys.push(Symbol(`mapsync.child${childKeys.length}`));
  return childKeys[index] as symbol;
}

type RecordClass = new (
  target: ViewTarget,
  base: number,
  origin: number,
  stride: number,
  count: number,
) => object;
type ArrayClass = new (target: ViewTarget, base: number, count: number) => object;
/** Makes the view of a nested field, given the target and the root view it hangs from. */
type NestedFactory = (target: ViewTarget, root: object) => object;

const recordClasses: Record<Access, WeakMap<Layout, RecordClass>> = {
  readonly: new WeakMap(),
  writable: new WeakMap(),
};
const arrayClasses: Record<Access, WeakMap<Layout, ArrayClass>> = {
  readonly: new WeakMap(),
  writable: new WeakMap(),
};

/** A view of one record at `base`. */
export function recordView(
  layout: StructLayout,
  target: ViewTarget,
  base: number,
  access: Access,
): object {
  const RecordView = rootClass(recordClasses, layout, access, () =>
    compileRecord(layout, access, undefined),
  );
  return new RecordView(target, base, base, layout.size, 1);
}

/** A record view that `seek(index)` moves over `count` records from `origin`. */
export function recordCursor(
  layout: StructLayout,
  target: ViewTarget,
  origin: number,
  count: number,
  access: Access,
): object {
  const RecordView = rootClass(recordClasses, layout, access, () =>
    compileRecord(layout, access, undefined),
  );
  return new RecordView(target, origin, origin, layout.size, count);
}

/** A view of `count` elements of `element` from `base`. */
export function arrayView(
  element: Layout,
  target: ViewTarget,
  base: number,
  count: number,
  access: Access,
): object {
  const ArrayView = rootClass(arrayClasses, element, access, () =>
    compileArray(element, undefined, access, undefined),
  );
  return new ArrayView(target, base, count);
}

function rootClass<C>(
  cache: Record<Access, WeakMap<Layout, C>>,
  layout: Layout,
  access: Access,
  compile: () => C,
): C {
  let compiled = cache[access].get(layout);
  if (compiled === undefined) {
    compiled = compile();
    cache[access].set(layout, compiled);
  }
  return compiled;
}

/** A fresh root view of a composite element (what at() returns). */
function elementView(layout: Layout, target: ViewTarget, base: number, access: Access): object {
  if (layout.kind === 'struct') return recordView(layout, target, base, access);
  if (layout.kind === 'array') return arrayView(layout.element, target, base, layout.count, access);
  throw new Error(`unreachable: ${layout.kind} has no view`);
}

function isComposite(layout: Layout): layout is StructLayout | ArrayLayout {
  return layout.kind === 'struct' || layout.kind === 'array';
}

function badIndex(index: unknown, count: number): Error {
  if (typeof index !== 'number') {
    return new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `index must be a number, received ${typeof index}`,
    );
  }
  return new MapsyncRangeError(
    'ERR_OUT_OF_RANGE',
    `index must be an integer from 0 to ${count - 1}, received ${index}`,
  );
}

/** Throws unless `i` is an integer index below `n` (NaN and fractions included). */
function indexCheck(n: string): string {
  return `if (!(i >= 0 && i < ${n}) || Math.floor(i) !== i) throw badIndex(i, ${n});`;
}

/**
 * Where a view's bytes start, as an expression: its own base for a root view, the
 * root's base plus a constant for a nested one (`fromRoot`, its offset in the root).
 */
function baseExpression(fromRoot: number | undefined): string {
  return fromRoot === undefined ? 'this[B]' : `(this[R][B] + ${fromRoot})`;
}

/** `this` for a root view, the root it hangs from for a nested one. */
function rootExpression(fromRoot: number | undefined): string {
  return fromRoot === undefined ? 'this' : 'this[R]';
}

const inspect = Symbol.for('nodejs.util.inspect.custom');

function compile(names: string[], values: unknown[], body: string, children = 0): unknown {
  const keys = Array.from({ length: children }, (_, j) => childKey(j));
  const stateNames = [...Object.keys(STATE), ...keys.map((_, j) => `C${j}`)];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the top of this file
  const factory = new Function(...stateNames, ...names, `'use strict';\n${body}`) as (
    ...args: unknown[]
  ) => unknown;
  return factory(...Object.values(STATE), ...keys, ...values);
}

/** The view of a nested composite field, compiled for its place `fromRoot` in the root. */
function nestedFactory(
  layout: StructLayout | ArrayLayout,
  fromRoot: number,
  access: Access,
): NestedFactory {
  if (layout.kind === 'struct') {
    const Nested = compileRecord(layout, access, fromRoot) as unknown as new (
      t: ViewTarget,
      r: object,
    ) => object;
    return (target, root) => new Nested(target, root);
  }
  const Nested = compileArray(layout.element, layout.count, access, fromRoot) as unknown as new (
    t: ViewTarget,
    r: object,
  ) => object;
  return (target, root) => new Nested(target, root);
}

function compileRecord(
  layout: StructLayout,
  access: Access,
  fromRoot: number | undefined,
): RecordClass {
  const writable = access === 'writable';
  const base = baseExpression(fromRoot);
  const fields = layout.fields;
  const names = fields.map((f) => f.name);
  const codecs: (Codec | undefined)[] = fields.map((f) =>
    f.layout.kind === 'scalar' ? undefined : codecOf(f.layout),
  );
  const rejected = fields.map(({ layout: field, name }) =>
    field.kind === 'scalar' ? (v: unknown) => scalarValueError(field, name, v) : undefined,
  );
  // Nested records and arrays: one view each, made with this one, kept in this[C<j>].
  const composites = fields.flatMap((f, k) => (isComposite(f.layout) ? [{ field: f, k }] : []));
  const children = composites.map(({ field }) =>
    nestedFactory(
      field.layout as StructLayout | ArrayLayout,
      (fromRoot ?? 0) + field.offset,
      access,
    ),
  );
  const accessors = fields.map((f, k) => {
    const at = `${base} + ${f.offset}`;
    const key = `[NAMES[${k}]]`;
    const child = composites.findIndex((c) => c.k === k);
    if (child >= 0) return `get ${key}() { return this[C${child}]; }`;
    if (f.layout.kind === 'scalar') {
      const get = `get ${key}() { return ${readExpression(f.layout, 'this[T].dv', at)}; }`;
      if (!writable) return get;
      return `${get}
        set ${key}(v) {
          if (${rejectsExpression(f.layout)}) throw REJECTED[${k}](v);
          const t = this[T]; const at = ${at};
          ${writeStatement(f.layout, 't.dv', 'at')}
          t.touched(at, ${f.layout.size});
        }`;
    }
    const get = `get ${key}() { return CODECS[${k}].read(this[T].dv, ${at}); }`;
    if (!writable) return get;
    return `${get}
      set ${key}(v) {
        const t = this[T]; const at = ${at};
        CODECS[${k}].write(t.dv, at, v, NAMES[${k}]);
        t.touched(at, ${f.layout.size});
      }`;
  });
  // Each nested view points at the root view, whose base it reads.
  const makeChildren = children
    .map((_, j) => `this[C${j}] = CHILD[${j}](target, ${rootExpression(fromRoot)});`)
    .join('\n');
  const constructor =
    fromRoot === undefined
      ? `constructor(target, base, origin, stride, count) {
          this[T] = target; this[B] = base; this[O] = origin; this[S] = stride; this[N] = count;
          ${makeChildren}
        }
        seek(i) {
          ${indexCheck('this[N]')}
          this[B] = this[O] + i * this[S];
          return this;
        }`
      : `constructor(target, root) {
          this[T] = target; this[R] = root;
          ${makeChildren}
        }`;
  const assign = `assign(value) {
      const t = this[T]; const at = ${base};
      assignFields(LAYOUT, t.dv, at, value, 'record');
      t.touched(at, ${layout.size});
    }`;

  const body = `return class RecordView {
    ${constructor}
    ${accessors.join('\n')}
    toJSON() { return RECORD.read(this[T].dv, ${base}); }
    ${writable ? assign : ''}
    [INSPECT]() { return this.toJSON(); }
  };`;
  return compile(
    [
      'INSPECT',
      'NAMES',
      'CODECS',
      'REJECTED',
      'CHILD',
      'RECORD',
      'LAYOUT',
      'assignFields',
      'badIndex',
    ],
    [inspect, names, codecs, rejected, children, codecOf(layout), layout, assignFields, badIndex],
    body,
    children.length,
  ) as RecordClass;
}

/**
 * An array view class. A root array has its count per instance; a nested one (an array
 * field, `fromRoot` defined) has it fixed by the layout.
 */
function compileArray(
  element: Layout,
  fixedCount: number | undefined,
  access: Access,
  fromRoot: number | undefined,
): ArrayClass {
  const writable = access === 'writable';
  const size = element.size;
  const count = fixedCount === undefined ? 'this[N]' : String(fixedCount);
  const at = `${baseExpression(fromRoot)} + i * ${size}`;
  const read =
    element.kind === 'scalar'
      ? readExpression(element, 'this[T].dv', at)
      : `CODEC.read(this[T].dv, ${at})`;
  const write =
    element.kind === 'scalar'
      ? `if (${rejectsExpression(element)}) throw rejected(i, v);
         ${writeStatement(element, 't.dv', 'at')}`
      : "CODEC.write(t.dv, at, v, '[' + i + ']');";
  const set = `set(i, v) {
      ${indexCheck(count)}
      const t = this[T]; const at = ${at};
      ${write}
      t.touched(at, ${size});
    }`;
  const atMethod = `at(i) {
      ${indexCheck(count)}
      return ELEMENT(this[T], ${at});
    }`;
  const cursor = `cursor() { return CURSOR(this[T], ${baseExpression(fromRoot)}, ${count}); }`;
  const constructor =
    fromRoot === undefined
      ? 'constructor(target, base, count) { this[T] = target; this[B] = base; this[N] = count; }'
      : 'constructor(target, root) { this[T] = target; this[R] = root; }';

  const body = `return class ArrayView {
    ${constructor}
    get length() { return ${count}; }
    get(i) {
      ${indexCheck(count)}
      return ${read};
    }
    ${writable ? set : ''}
    ${isComposite(element) ? atMethod : ''}
    ${element.kind === 'struct' ? cursor : ''}
    toArray() {
      const values = new Array(${count});
      for (let i = 0; i < values.length; i++) values[i] = this.get(i);
      return values;
    }
    toJSON() { return this.toArray(); }
    *[Symbol.iterator]() { for (let i = 0; i < ${count}; i++) yield this.get(i); }
    [INSPECT]() { return this.toArray(); }
  };`;
  const makeElement = (target: ViewTarget, base: number) =>
    elementView(element, target, base, access);
  const cursorOver = (target: ViewTarget, origin: number, n: number) =>
    element.kind === 'struct' ? recordCursor(element, target, origin, n, access) : undefined;
  const rejected = (i: number, v: unknown) =>
    element.kind === 'scalar' ? scalarValueError(element, `element [${i}]`, v) : undefined;
  return compile(
    ['INSPECT', 'CODEC', 'ELEMENT', 'CURSOR', 'rejected', 'badIndex'],
    [inspect, codecOf(element), makeElement, cursorOver, rejected, badIndex],
    body,
  ) as ArrayClass;
}
