"""Nothing a kernel says is dropped on its way to the server (issue 13, item 5).

The root cause of the "half-empty app": ZMQ drops a kernel's IOPub messages once about
1,000 wait for a reader, and an app's start is a burst of them (three per widget, then the
app's own display, last). When a room opens at once the server reads more slowly than the
kernels write, the display was dropped and the page showed its heading over nothing.

Here a real kernel writes a burst of 20,000 display messages while its reader is busy
elsewhere for five seconds (as the server is while ten apps start on two cores). Jupyter's
own client loses most of them, and the end of the cell with them: that is the failure, shown
so that the test proves its burst is big enough. The server's client
(:class:`~toolkit.server.kernels.RoomKernelClient`) receives every one. The server itself is
checked to use that client, and its kernels' websockets a context that queues as much.
"""

from __future__ import annotations

import asyncio
import queue
from dataclasses import dataclass

import pytest
import zmq
from jupyter_client import AsyncKernelManager

from tests.server.server_helpers import WORKSHOPS, build_app_in_test_process
from toolkit.server.access import FacilitatorAccess
from toolkit.server.kernels import IOPUB_RECEIVE_HWM, RoomKernelClient

BURST = 20_000
"""Display messages in the burst: far past ZMQ's default queues and the socket buffers."""
BUSY_S = 5.0
"""How long the reader is busy elsewhere while the kernel writes."""


@dataclass
class Received:
    displays: int
    cell_finished: bool


async def burst_read_late(client_class: str) -> Received:
    """A real kernel displays ``BURST`` numbers; its reader starts ``BUSY_S`` after the reply."""
    manager = AsyncKernelManager(client_class=client_class)
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        code = f"from IPython.display import display\nfor i in range({BURST}): display(i)"
        msg_id = client.execute(code)
        reply = await client.get_shell_msg(timeout=300)
        assert reply["content"]["status"] == "ok"
        await asyncio.sleep(BUSY_S)
        displays = 0
        while True:
            try:
                message = await client.get_iopub_msg(timeout=20)
            except queue.Empty:
                return Received(displays, cell_finished=False)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "display_data":
                displays += 1
            elif kind == "status" and content["execution_state"] == "idle":
                return Received(displays, cell_finished=True)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


@pytest.mark.timeout(600)
def test_the_servers_kernel_client_receives_a_burst_that_jupyters_default_drops() -> None:
    default = asyncio.run(burst_read_late("jupyter_client.asynchronous.AsyncKernelClient"))
    assert default.displays < BURST and not default.cell_finished, (
        "Jupyter's default client is expected to drop part of this burst (ZMQ's 1,000-message"
        f" queues); it received {default.displays} of {BURST}: make the burst bigger"
    )
    ours = asyncio.run(burst_read_late("toolkit.server.kernels.RoomKernelClient"))
    assert ours == Received(BURST, cell_finished=True)


def test_the_server_reads_its_kernels_through_queues_that_do_not_drop() -> None:
    app = build_app_in_test_process(
        notebook_dir=WORKSHOPS, access=FacilitatorAccess("x" * 32), port=0
    )
    app.describe_routes()  # sets the app up as `ureshii serve` does, without listening
    manager = app.kernel_manager
    assert manager.context.getsockopt(zmq.RCVHWM) == IOPUB_RECEIVE_HWM  # the pages' websockets
    kernel_manager = manager.kernel_manager_factory(parent=manager, log=manager.log)
    assert kernel_manager.client_class == "toolkit.server.kernels.RoomKernelClient"
    assert isinstance(kernel_manager.client(), RoomKernelClient)  # Voilà's notebook executor
    assert app.config.VoilaExecutor.iopub_timeout >= 60
