import aws_cdk as cdk
from aws_cdk.assertions import Template

import app as example
from tests.conftest import new_app


def test_example_app_synthesizes() -> None:
    app = new_app()
    stacks = example.build(app)
    template = Template.from_stack(stacks[0])
    template.resource_count_is("AWS::EC2::VPCPeeringConnection", 4)
    assert isinstance(stacks[0], cdk.Stack)
