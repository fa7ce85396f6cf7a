import { Box, Card, CardContent, CardHeader, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { Loading, Title, usePermissions } from 'react-admin';
import { can, isPortalUser } from './access';
import { api, call } from './api';
import { Portal } from './portal/Portal';

const MODE_NAMES = ['File', 'Activation', 'Floating'];
const DAY_MS = 86_400_000;

type Day = { date: string; activations: number; deactivations: number; seats: number };

/** Activations and seats per day as bars; the same figures are in the table beneath for screen readers. */
function DayChart({ days }: { days: Day[] }) {
  const max = Math.max(1, ...days.map((day) => day.activations + day.seats));
  const width = 600;
  const height = 160;
  const bar = width / days.length;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        width="100%"
        height={height}
        role="img"
        aria-label={`Activations per day over the last 30 days, at most ${max} a day`}
      >
        {days.map((day, index) => {
          const activations = (day.activations / max) * (height - 4);
          const seats = (day.seats / max) * (height - 4);
          return (
            <g key={day.date}>
              <title>{`${day.date}: ${day.activations} activations, ${day.seats} floating seats`}</title>
              <rect x={index * bar + 2} y={height - activations} width={bar - 4} height={activations} fill="#1976d2" />
              <rect
                x={index * bar + 2}
                y={height - activations - seats}
                width={bar - 4}
                height={seats}
                fill="#9c27b0"
              />
            </g>
          );
        })}
        <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} stroke="#999" />
      </svg>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', fontSize: 12 }}>
        <span>{days[0]?.date}</span>
        <span>{days[days.length - 1]?.date}</span>
      </Box>
      <figcaption style={{ fontSize: 12 }}>
        <span style={{ color: '#1976d2' }}>■</span> activations <span style={{ color: '#9c27b0' }}>■</span> floating
        seats
      </figcaption>
    </figure>
  );
}

function Figure({ label, value }: { label: string; value: number | string }) {
  return (
    <Box sx={{ minWidth: 120 }}>
      <Box sx={{ fontSize: 28, fontWeight: 500 }} aria-label={label}>
        {value}
      </Box>
      <Box sx={{ color: 'text.secondary', fontSize: 14 }}>{label}</Box>
    </Box>
  );
}

const cardSx = { flex: '1 1 300px', minWidth: 0, maxWidth: '100%' };

function StaffDashboard({ roles }: { roles: string[] }) {
  const dashboard = useQuery({ queryKey: ['dashboard'], queryFn: () => call(api.getDashboard()) });
  const levels = useQuery({
    queryKey: ['log-levels'],
    enabled: can(roles, 'operations'),
    queryFn: () =>
      call(
        api.getLogLevels({
          query: {
            startDate: new Date(Date.now() - 7 * DAY_MS).toISOString(),
            endDate: new Date().toISOString(),
            intervals: 7,
          },
        }),
      ),
  });
  const audit = useQuery({
    queryKey: ['audit-latest'],
    enabled: can(roles, 'audit'),
    queryFn: () => call(api.getAuditEvents({ query: { sort: 'Id desc', take: 8 } })),
  });
  if (dashboard.isPending) return <Loading />;
  if (dashboard.error) return <Box role="alert">{dashboard.error.message}</Box>;
  const data = dashboard.data;
  const levelTotals = new Map<string, number>();
  for (const item of levels.data?.logLevels ?? [])
    levelTotals.set(String(item.level), (levelTotals.get(String(item.level)) ?? 0) + Number(item.count));
  const levelMax = Math.max(1, ...levelTotals.values());
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mt: 2, minWidth: 0, maxWidth: '100%' }}>
      <Title title="Dashboard" />
      <Card sx={cardSx}>
        <CardHeader title="Licenses" titleTypographyProps={{ component: 'h2', variant: 'h6' }} />
        <CardContent sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Licenses by mode and state">
            <TableHead>
              <TableRow>
                <TableCell>Mode</TableCell>
                <TableCell align="right">Active</TableCell>
                <TableCell align="right">Expired</TableCell>
                <TableCell align="right">Revoked</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.licensesByMode.map((row) => (
                <TableRow key={row.licensingMode}>
                  <TableCell>{MODE_NAMES[row.licensingMode ?? 0]}</TableCell>
                  <TableCell align="right">{row.active}</TableCell>
                  <TableCell align="right">{row.expired}</TableCell>
                  <TableCell align="right">{row.revoked}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      <Card sx={cardSx}>
        <CardHeader title="Seats in use" titleTypographyProps={{ component: 'h2', variant: 'h6' }} />
        <CardContent sx={{ display: 'flex', gap: 3, flexWrap: 'wrap' }}>
          <Figure label="Activations" value={data.activationsInUse ?? 0} />
          <Figure label="Floating seats" value={data.seatsInUse ?? 0} />
          <Figure label="Seats of live licenses" value={data.seatsAvailable ?? 0} />
        </CardContent>
      </Card>
      <Card sx={{ ...cardSx, flexBasis: '100%' }}>
        <CardHeader
          title="Activations per day, last 30 days"
          titleTypographyProps={{ component: 'h2', variant: 'h6' }}
        />
        <CardContent sx={{ overflowX: 'auto' }}>
          <DayChart days={data.activationsPerDay as Day[]} />
        </CardContent>
      </Card>
      <Card sx={cardSx}>
        <CardHeader
          title={`Expiring within 30 days: ${data.expiringLicensesCount ?? 0}`}
          titleTypographyProps={{ component: 'h2', variant: 'h6' }}
        />
        <CardContent sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Licenses expiring within 30 days">
            <TableBody>
              {(data.expiringLicenses ?? []).map((license) => (
                <TableRow key={license.id}>
                  <TableCell>
                    <Link to={`/licenses/${license.id}/show`}>{license.licenseId}</Link>
                  </TableCell>
                  <TableCell>{license.licenseeName ?? license.productName}</TableCell>
                  <TableCell>{license.expireDate?.slice(0, 10)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      {can(roles, 'operations') ? (
        <Card sx={cardSx}>
          <CardHeader title="Log levels, last 7 days" titleTypographyProps={{ component: 'h2', variant: 'h6' }} />
          <CardContent sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Log entries per level">
              <TableBody>
                {[...levelTotals.entries()].map(([level, count]) => (
                  <TableRow key={level}>
                    <TableCell>{level}</TableCell>
                    <TableCell sx={{ width: '60%' }}>
                      <Box
                        sx={{
                          height: 10,
                          bgcolor:
                            level === 'Error' || level === 'Fatal'
                              ? 'error.main'
                              : level === 'Warning'
                                ? 'warning.main'
                                : 'primary.main',
                        }}
                        style={{ width: `${(count / levelMax) * 100}%` }}
                      />
                    </TableCell>
                    <TableCell align="right">{count}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      ) : null}
      {can(roles, 'audit') ? (
        <Card sx={cardSx}>
          <CardHeader title="Latest changes" titleTypographyProps={{ component: 'h2', variant: 'h6' }} />
          <CardContent sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Latest audit events">
              <TableBody>
                {(audit.data?.auditEvents ?? []).map((event) => (
                  <TableRow key={event.id}>
                    <TableCell>{event.createdAt?.slice(0, 19).replace('T', ' ')}</TableCell>
                    <TableCell>{event.action}</TableCell>
                    <TableCell>{event.actorName}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      ) : null}
    </Box>
  );
}

export function Dashboard() {
  const { permissions, isPending } = usePermissions<string[]>();
  if (isPending) return <Loading />;
  if (isPortalUser(permissions)) return <Portal />;
  return <StaffDashboard roles={permissions ?? []} />;
}
