# asyncio is frozen into the firmware: tasks take turns at each await, an Event hands over,
# and wait_for times out a sleep far longer than its timeout, as under CPython.
import asyncio

order = []
ready = asyncio.Event()


async def sensor(name, n):
    for i in range(n):
        await asyncio.sleep(0)
        order.append((name, i))
    if name == "a":
        ready.set()


async def consumer():
    await ready.wait()
    order.append(("consumer", len(order)))


async def slow():
    await asyncio.sleep(10)


async def main():
    await asyncio.gather(sensor("a", 3), sensor("b", 2), consumer())
    try:
        await asyncio.wait_for(slow(), 0.05)
    except asyncio.TimeoutError:
        order.append("timed out")
    return len(order)


print(asyncio.run(main()))
print(order)
