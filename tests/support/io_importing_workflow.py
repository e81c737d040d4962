"""A workflow that breaks the rule: it imports an I/O library (lxml) into workflow code.

Used only to prove that the worker's sandbox refuses such a module at start-up.
"""

from temporalio import workflow

from adapters.ecuador import factura_xml  # noqa: F401  (pulls lxml into the workflow sandbox)


@workflow.defn(name="BrokenByIo")
class IoImportingWorkflow:
    @workflow.run
    async def run(self) -> str:
        return "never"
