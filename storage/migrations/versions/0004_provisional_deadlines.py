"""work_orders.provisional_years: deadlines computed without official calendar data

Revision ID: 0004_provisional_deadlines
Revises: 0003_call_records
Create Date: 2026-11-21 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004_provisional_deadlines'
down_revision: Union[str, Sequence[str], None] = '0003_call_records'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: existing orders' deadlines are final (computed on official data)."""
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('provisional_years', sa.JSON(), nullable=False, server_default='[]')
        )
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.alter_column('provisional_years', server_default=None)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('provisional_years')
