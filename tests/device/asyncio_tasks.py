# asyncio is frozen into the firmware: two sensor-like tasks interleave by their periods, as
# under CPython.
import asyncio

order = []


async def sensor(name, period, n):
    for i in range(n):
        await asyncio.sleep(period)
        order.append((name, i))


async def main():
    await asyncio.gather(sensor("fast", 0.02, 3), sensor("slow", 0.05, 2))
    return len(order)


print(asyncio.run(main()))
print(order)
