/** lazyAdapter: the port loads its adapter on the first call, once, and forwards every method. */
import { lazyAdapter } from '../../lambdas/wiring/lazy-adapter';

interface Greeter {
  greet(name: string): Promise<string>;
  count(): Promise<number>;
}

function loader() {
  let calls = 0;
  let loads = 0;
  const load = async (): Promise<Greeter> => {
    loads += 1;
    return { greet: async (name) => `hello ${name}`, count: async () => (calls += 1) };
  };
  return { load, loads: () => loads };
}

it('loads nothing until a method is called, then loads once for every method and call', async () => {
  const { load, loads } = loader();
  const port = lazyAdapter<Greeter>(load, { greet: true, count: true });
  expect(loads()).toBe(0);

  const [first, second] = await Promise.all([port.greet('a'), port.greet('b')]);
  expect([first, second]).toEqual(['hello a', 'hello b']);
  expect(await port.count()).toBe(1);
  expect(await port.count()).toBe(2);
  expect(loads()).toBe(1);
});

it('does not keep a failed load: the caller sees the error, the next call loads again', async () => {
  let attempts = 0;
  const port = lazyAdapter<Greeter>(
    async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('chunk missing');
      return { greet: async (name) => `hi ${name}`, count: async () => 0 };
    },
    { greet: true, count: true },
  );

  await expect(port.greet('x')).rejects.toThrow('chunk missing');
  await expect(port.greet('y')).resolves.toBe('hi y');
  expect(attempts).toBe(2);
});

it('passes the adapter method errors through unchanged', async () => {
  const failure = new Error('SNS said no');
  const port = lazyAdapter<Greeter>(async () => ({ greet: async () => Promise.reject(failure), count: async () => 0 }), { greet: true, count: true });
  await expect(port.greet('z')).rejects.toBe(failure);
});
