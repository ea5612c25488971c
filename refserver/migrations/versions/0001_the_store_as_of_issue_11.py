"""The store as of issue 11: every table of refserver/models.py, generated from them (the first revision).

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('contract_number', sa.String(length=11), nullable=True),
    sa.Column('detail', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_contract_number'), ['contract_number'], unique=False)

    op.create_table('client_misses',
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('misses', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('client', name=op.f('pk_client_misses'))
    )
    op.create_table('clock_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offset_seconds', sa.Double(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_state'))
    )
    op.create_table('contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=11), nullable=False),
    sa.Column('registration_pin_hash', sa.String(), nullable=False),
    sa.Column('card', sa.JSON(), nullable=False),
    sa.Column('otp_kind', sa.String(length=8), nullable=False),
    sa.Column('totp_secret', sa.String(), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('fixed_challenge', sa.JSON(), nullable=True),
    sa.Column('email', sa.String(), nullable=True),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('activated_at', sa.DateTime(), nullable=True),
    sa.Column('accident_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('successor', sa.String(length=11), nullable=True),
    sa.Column('auth_method', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract')),
    sa.UniqueConstraint('number', name=op.f('uq_contract_number'))
    )
    op.create_table('revocation_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('der', sa.LargeBinary(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revocation_list'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('login', name=op.f('uq_staff_login'))
    )
    op.create_table('activation_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('logon_pin_hash', sa.String(), nullable=False),
    sa.Column('confirmation_pin_hash', sa.String(), nullable=False),
    sa.Column('email', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_activation_request_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_request'))
    )
    op.create_table('otp_challenge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_otp_challenge_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_otp_challenge'))
    )
    with op.batch_alter_table('otp_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_otp_challenge_contract_id'), ['contract_id'], unique=False)

    op.create_table('principal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.String(length=30), nullable=True),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('email', sa.String(), nullable=True),
    sa.Column('permissions', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('logon_pin_hash', sa.String(), nullable=True),
    sa.Column('confirmation_pin_hash', sa.String(), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reissued_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_principal_contract_id_contract')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_principal')),
    sa.UniqueConstraint('contract_id', 'user_id', name=op.f('uq_principal_contract_id_user_id'))
    )
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revocation_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['principal_id'], ['principal.id'], name=op.f('fk_certificate_principal_id_principal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_certificate_fingerprint')),
    sa.UniqueConstraint('serial', name=op.f('uq_certificate_serial'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_principal_id'), ['principal_id'], unique=False)

    op.create_table('logon_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['principal_id'], ['principal.id'], name=op.f('fk_logon_session_principal_id_principal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logon_session'))
    )
    with op.batch_alter_table('logon_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logon_session_principal_id'), ['principal_id'], unique=False)

    op.create_table('transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('account_number', sa.String(length=7), nullable=False),
    sa.Column('payee_name', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('receipt_number', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['principal_id'], ['principal.id'], name=op.f('fk_transfer_principal_id_principal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_transfer_receipt_number'))
    )
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_principal_id'), ['principal_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_principal_id'))

    op.drop_table('transfer')
    with op.batch_alter_table('logon_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logon_session_principal_id'))

    op.drop_table('logon_session')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_principal_id'))

    op.drop_table('certificate')
    op.drop_table('principal')
    with op.batch_alter_table('otp_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_otp_challenge_contract_id'))

    op.drop_table('otp_challenge')
    op.drop_table('activation_request')
    op.drop_table('staff')
    op.drop_table('revocation_list')
    op.drop_table('contract')
    op.drop_table('clock_state')
    op.drop_table('client_misses')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_contract_number'))

    op.drop_table('audit_entry')
